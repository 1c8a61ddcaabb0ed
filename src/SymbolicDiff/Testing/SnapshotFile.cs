using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace SymbolicDiff.Testing;

/// <summary>
/// Received/verified snapshot files, the convention of Verify and ApprovalTests, for any test framework:
/// <c>&lt;name&gt;.verified.cs</c> is committed; when the text differs, <c>&lt;name&gt;.received.cs</c> is written beside
/// it and the test fails with a line diff. Accept a change by renaming the received file, or by running the tests
/// with <c>SYMBOLICDIFF_ACCEPT_SNAPSHOTS=1</c>, which is ignored when <c>CI=true</c> so CI never writes a snapshot.
/// </summary>
/// <example>
/// <code>
/// [Fact]
/// public void NeuronGradient() => SnapshotFile.Verify("Model.Neuron", GeneratedSource.Of(typeof(Model), nameof(Model.Neuron)));
/// </code>
/// </example>
public static class SnapshotFile
{
    /// <summary>The environment variable that accepts every changed snapshot (outside CI).</summary>
    public const string AcceptVariable = "SYMBOLICDIFF_ACCEPT_SNAPSHOTS";

    /// <summary>Whether this run may accept changes: <see cref="AcceptVariable"/> is 1 and CI is not true.</summary>
    public static bool AcceptRequested =>
        Environment.GetEnvironmentVariable(AcceptVariable) == "1"
        && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Compares <paramref name="actual"/> with <c>&lt;directory&gt;/&lt;name&gt;.verified.cs</c>.</summary>
    /// <param name="name">The snapshot's file name without extension.</param>
    /// <param name="actual">The text to compare (line endings and a BOM are ignored).</param>
    /// <param name="directory">Where the files live; by default a <c>Snapshots</c> folder beside the calling source file.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <exception cref="SnapshotMismatchException">The text differs from the verified file, or there is none.</exception>
    public static void Verify(string name, string actual, string? directory = null, [CallerFilePath] string callerFile = "") =>
        Verify(name, actual, directory ?? BesideCaller(callerFile), AcceptRequested);

    /// <summary>The Snapshots folder beside the calling source file, which must exist on this machine.</summary>
    internal static string BesideCaller(string callerFile)
    {
        string? folder = Path.GetDirectoryName(callerFile);
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            // ContinuousIntegrationBuild or PathMap rewrite source paths (to /_/...), so the test file cannot be found.
            throw new InvalidOperationException($"The calling test file '{callerFile}' is not on this machine (its path was mapped, " +
                "e.g. by ContinuousIntegrationBuild or PathMap). Turn that off for the test project, or pass the snapshot directory.");
        }
        return Path.Combine(folder, "Snapshots");
    }

    internal static void Verify(string name, string actual, string directory, bool accept)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(actual);
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual);

        string? expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (expected == actual || accept)
        {
            if (expected != actual)
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(verified, actual);
            }
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(received, actual);
        throw new SnapshotMismatchException(expected is null
            ? $"Snapshot '{name}' has no verified file. Wrote {received}; review it, then rename it to {Path.GetFileName(verified)} " +
              $"(or run the tests with {AcceptVariable}=1)."
            : $"Snapshot '{name}' differs from {verified}. Wrote {received}. If the change is intended, accept it: rename the " +
              $"received file, or run the tests with {AcceptVariable}=1 (ignored when CI=true).\n" + LineDiff.Describe(expected, actual));
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');
}

/// <summary>A snapshot did not match its verified file; the message holds the diff and how to accept it.</summary>
public sealed class SnapshotMismatchException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public SnapshotMismatchException(string message) : base(message)
    {
    }
}
