using Spectre.Console;

namespace LlmOps.Cli;

/// <summary>Where a command reads and writes, and its clock: the real console in the tool, strings in the tests.</summary>
internal sealed class CliContext
{
    /// <summary>Initializes a new instance of the <see cref="CliContext"/> class.</summary>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="stdin">Standard input.</param>
    /// <param name="ansi">Whether to write colours (a terminal that is not redirected and no <c>NO_COLOR</c>).</param>
    /// <param name="interactive">Whether live progress bars may redraw the terminal.</param>
    /// <param name="time">The clock.</param>
    /// <param name="width">The terminal width for tables; <see langword="null"/> to detect it.</param>
    public CliContext(TextWriter stdout, TextWriter stderr, TextReader stdin, bool ansi = false, bool interactive = false, TimeProvider? time = null, int? width = 160)
    {
        Out = stdout;
        Error = stderr;
        In = stdin;
        Interactive = interactive;
        Time = time ?? TimeProvider.System;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = ansi ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = ansi ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        if (width is int w)
        {
            Console.Profile.Width = w;
        }
    }

    /// <summary>Gets standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Gets standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Gets standard input.</summary>
    public TextReader In { get; }

    /// <summary>Gets the Spectre console over <see cref="Out"/>, for tables, colour and progress.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Gets a value indicating whether live progress may redraw the terminal.</summary>
    public bool Interactive { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Reads a whole input: a file, or standard input for <c>-</c>.</summary>
    /// <param name="path">The path or <c>-</c>.</param>
    /// <param name="what">What the file is, for the error message.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The text.</returns>
    /// <exception cref="CliException">The file is missing or unreadable.</exception>
    public async Task<string> ReadInputAsync(string path, string what, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            return await In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        RequireFile(path, what);
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.InputError, $"cannot read the {what} '{path}': {e.Message}. Check the path and its permissions.");
        }
    }

    /// <summary>Fails with <see cref="ExitCodes.InputError"/> when <paramref name="path"/> is not an existing file.</summary>
    /// <param name="path">The path.</param>
    /// <param name="what">What the file is, for the error message.</param>
    /// <exception cref="CliException">The file does not exist.</exception>
    public static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new CliException(ExitCodes.InputError, $"the {what} '{path}' does not exist (looked in {Path.GetFullPath(path)}). Check the path.");
        }
    }
}
