using Microsoft.Playwright;

namespace VaeLab.Testing;

/// <summary>Debian's Chromium, which scripts/setup.sh installs, started headless through Playwright (which then needs
/// no browser download of its own), quiet on the network so that a page's own requests are all there is.</summary>
public static class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Executable), $"{Executable} not found: scripts/setup.sh installs Debian's chromium package");
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run"],
        });
    }
}
