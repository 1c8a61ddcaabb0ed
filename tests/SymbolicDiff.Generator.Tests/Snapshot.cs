using System.IO;
using System.Runtime.CompilerServices;
using SymbolicDiff.Testing;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// Received/verified snapshots in <c>Snapshots/</c>, through the same <see cref="SnapshotFile"/> users get in the package:
/// a mismatch writes <c>&lt;name&gt;.received.cs</c> and fails with a line diff; SYMBOLICDIFF_ACCEPT_SNAPSHOTS=1 (ignored when CI=true) accepts.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string name, string actual, [CallerFilePath] string callerFile = "") =>
        SnapshotFile.Verify(name, actual, Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots"));
}
