"""Executes notebooks on an installed Jupyter kernel through the Jupyter messaging protocol, as a Jupyter front end
(VS Code's Jupyter extension, Jupyter Notebook, nbconvert) does, with Debian's python3-nbclient: each notebook in a
kernel of its own started in FOLDER, its cells in order, stopping at the first cell that fails, as "Run All" does.

usage: /usr/bin/python3 execute_notebooks.py KERNEL FOLDER PARALLEL OUTPUT NOTEBOOK...

Runs PARALLEL kernels at a time. Writes each executed notebook under its own name to the folder OUTPUT, the failing
cell's error output included, and prints a line with the seconds it took. Exits 0 when every kernel started and
answered (cells may have failed: the caller reads the executed notebooks), 2 when Jupyter or the kernel is not
installed, 1 when a kernel died or timed out.
"""
import asyncio
import os
import subprocess
import sys
import time

try:
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
except ImportError as error:
    print(f"{error}: run scripts/setup.sh (it installs Debian's python3-nbclient and jupyter-client)", file=sys.stderr)
    sys.exit(2)


async def execute(kernel, folder, source, output, slots, starting):
    async with slots:
        notebook = nbformat.read(source, as_version=4)
        # The kernel resolves the notebooks' relative #r paths against its working folder, which this sets.
        client = NotebookClient(notebook, kernel_name=kernel, timeout=600, startup_timeout=120,
                                resources={"metadata": {"path": folder}})
        start = time.monotonic()
        try:
            # .NET Interactive kernels started together can choose the same port of their --http-port-range, and all but
            # one die; each starts once the one before it answers. async_execute then uses (and shuts down) this kernel.
            async with starting:
                client.km = client.create_kernel_manager()
                # Its stdout is a web host's log; its stderr stays, to tell why a kernel died.
                await client.async_start_new_kernel(stdout=subprocess.DEVNULL)
                await client.async_start_new_kernel_client()
            await client.async_execute()
        except CellExecutionError:
            pass  # the failing cell's error output is in the notebook, for the caller to report
        finally:
            nbformat.write(notebook, os.path.join(output, os.path.basename(source)))
        print(f"{source}: {time.monotonic() - start:.1f} s", flush=True)


async def main(kernel, folder, parallel, output, sources):
    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        print(f"no Jupyter kernel named {kernel}: run scripts/setup.sh (it registers .net-csharp)", file=sys.stderr)
        return 2
    slots, starting = asyncio.Semaphore(parallel), asyncio.Lock()
    results = await asyncio.gather(*(execute(kernel, folder, source, output, slots, starting) for source in sources),
                                   return_exceptions=True)
    for source, result in zip(sources, results):
        if isinstance(result, BaseException):
            print(f"{source}: {type(result).__name__}: {result}", file=sys.stderr)
    return 1 if any(isinstance(r, BaseException) for r in results) else 0


if __name__ == "__main__":
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:])))
