using System.Runtime.CompilerServices;

// The benchmark drives the fused native optimizer kernels directly, as the optimizer classes do.
[assembly: InternalsVisibleTo("VaeLab.Bench")]
