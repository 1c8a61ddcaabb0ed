using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// Received/verified snapshots: <c>Snapshots/&lt;name&gt;.verified.cs</c> is committed; a mismatch writes
/// <c>&lt;name&gt;.received.cs</c> beside it and fails. Set SYMBOLICDIFF_ACCEPT_SNAPSHOTS=1 (outside CI) to accept.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual);

        string? expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (expected == actual)
        {
            if (File.Exists(received))
            {
                File.Delete(received);
            }
            return;
        }

        bool accept = Environment.GetEnvironmentVariable("SYMBOLICDIFF_ACCEPT_SNAPSHOTS") == "1"
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        Directory.CreateDirectory(directory);
        if (accept)
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received))
            {
                File.Delete(received);
            }
            return;
        }

        File.WriteAllText(received, actual);
        throw new XunitException(expected is null
            ? $"Snapshot '{name}' has no verified file. Wrote {received}; review it, then rename it to {Path.GetFileName(verified)} " +
              "(or run with SYMBOLICDIFF_ACCEPT_SNAPSHOTS=1)."
            : $"Snapshot '{name}' differs from {verified}. Wrote {received}; diff the two files, and if the change is intended " +
              $"accept it (rename, or run with SYMBOLICDIFF_ACCEPT_SNAPSHOTS=1).\nFirst difference: {FirstDifference(expected, actual)}");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');

    private static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end of file>", al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"line {i + 1}\n  verified: {el}\n  received: {al}";
            }
        }
        return "(none)";
    }
}
