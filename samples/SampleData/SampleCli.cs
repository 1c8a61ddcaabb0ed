using System;
using System.CommandLine;
using System.CommandLine.Help;
using System.IO;

namespace SymbolicDiff.Samples.Data;

/// <summary>
/// The samples' one command-line convention (System.CommandLine): named options with their defaults in <c>--help</c>,
/// the same names for the same things (<c>--data</c>, <c>--epochs</c>, <c>--seed</c>, <c>--out</c>, <c>--threads</c>),
/// and one line on standard error with exit code 2 for a bad option or malformed data, never a stack trace.
/// </summary>
public static class SampleCli
{
    /// <summary>Exit code for a bad option, missing or malformed data.</summary>
    public const int UsageError = 2;

    /// <summary><c>--epochs N</c>.</summary>
    public static Option<int> Epochs(int defaultValue, string description) => Positive(new Option<int>("--epochs")
    {
        Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "N",
    });

    /// <summary><c>--seed N</c>: the seed of every random choice, so a run can be repeated exactly.</summary>
    public static Option<ulong> Seed(ulong defaultValue, string description = "seed of the initialisation, shuffles and dropout (a run repeats exactly)") =>
        new("--seed") { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "N" };

    /// <summary><c>--out DIR</c>: where the sample writes its files.</summary>
    public static Option<string> Out() => new("--out")
    {
        Description = "folder for the plots and other files the sample writes (created if missing)", DefaultValueFactory = _ => "out", HelpName = "DIR",
    };

    /// <summary><c>--threads N</c>.</summary>
    public static Option<int> Threads(string description, int? defaultValue = null) => Positive(new Option<int>("--threads")
    {
        Description = description, DefaultValueFactory = _ => defaultValue ?? Environment.ProcessorCount, HelpName = "N",
    });

    /// <summary>Rejects values below 1 with a one-line message.</summary>
    public static Option<int> Positive(Option<int> option)
    {
        option.Validators.Add(result =>
        {
            // Only a given value is checked: an unparsable one already has its own error, and the defaults are positive.
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, out int value) && value < 1)
            {
                result.AddError($"{option.Name} must be at least 1, not {value}.");
            }
        });
        return option;
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs <paramref name="run"/>: <c>--help</c> prints the options and defaults to
    /// <paramref name="output"/> (exit 0); a parse error, or a <see cref="DataFormatException"/> or I/O error while running,
    /// prints one line to <paramref name="error"/> (exit 2).
    /// </summary>
    public static int Invoke(RootCommand command, string[] args, TextWriter output, TextWriter error, Func<ParseResult, int> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parsed = command.Parse(args);
        if (parsed.Action is HelpAction)
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
        }
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                error.WriteLine($"error: {problem.Message}");
            }
            error.WriteLine("Run with --help to see the options.");
            return UsageError;
        }
        try
        {
            return run(parsed);
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {e.Message}");
            return UsageError;
        }
    }
}
