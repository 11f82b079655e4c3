using PuppeteerSharp;

namespace LlmOps.Cli.Tests.Browser;

/// <summary>
/// Opens a local HTML file in the installed Debian chromium (headless; never downloads a browser), collects console
/// errors and page errors, answers DOM queries and takes a full-page screenshot.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly IBrowser _browser;
    private readonly IPage _page;

    private HeadlessChromium(IBrowser browser, IPage page)
    {
        _browser = browser;
        _page = page;
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
            {
                Errors.Add("console: " + e.Message.Text);
            }
        };
        page.PageError += (_, e) => Errors.Add("page: " + e.Message);
    }

    public List<string> Errors { get; } = [];

    public static string ExecutablePath()
    {
        string? configured = Environment.GetEnvironmentVariable("LLMOPS_CHROMIUM");
        foreach (string? candidate in new[] { configured, "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No chromium found: install Debian's 'chromium' (apt-get install -y chromium; .ci/run does) or set LLMOPS_CHROMIUM to its path.");
    }

    public static async Task<HeadlessChromium> OpenAsync(string htmlPath)
    {
        var options = new LaunchOptions
        {
            ExecutablePath = ExecutablePath(),
            Headless = true,
            // Root (CI containers) cannot use chromium's sandbox.
            Args = Environment.UserName == "root" ? ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] : ["--disable-gpu", "--disable-dev-shm-usage"],
        };
        IBrowser browser = await Puppeteer.LaunchAsync(options);
        IPage page = await browser.NewPageAsync();
        var chromium = new HeadlessChromium(browser, page);
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
        await page.GoToAsync(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri, WaitUntilNavigation.Load);
        return chromium;
    }

    public Task<int> CountAsync(string selector) =>
        _page.EvaluateFunctionAsync<int>("s => document.querySelectorAll(s).length", selector);

    /// <summary>Gets the rendered width and height of the first element matching <paramref name="selector"/>.</summary>
    public Task<double[]> SizeAsync(string selector) =>
        _page.EvaluateFunctionAsync<double[]>("s => { const r = document.querySelector(s).getBoundingClientRect(); return [r.width, r.height]; }", selector);

    /// <summary>
    /// Saves a full-page screenshot to the test output folder, and to <c>docs/images/NAME</c> in the repository when
    /// <c>LLMOPS_UPDATE_SCREENSHOTS=1</c>.
    /// </summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "screenshots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await _page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = true });
        if (Environment.GetEnvironmentVariable("LLMOPS_UPDATE_SCREENSHOTS") == "1")
        {
            string docs = Path.Combine(RepositoryRoot(), "docs", "images", name);
            Directory.CreateDirectory(Path.GetDirectoryName(docs)!);
            File.Copy(path, docs, overwrite: true);
        }

        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _page.CloseAsync();
        await _browser.CloseAsync();
        await _browser.DisposeAsync();
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "LlmOps.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("LlmOps.sln not found above the test output folder.");
    }
}
