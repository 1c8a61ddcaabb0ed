using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Text;

namespace SymbolicDiff.Testing;

/// <summary>
/// The code the generator wrote for a [Differentiable] method, as compiled into your assembly. The C# compiler
/// embeds every generated file in the portable PDB, so this reads it from there: no Roslyn, no second run of the
/// generator, and exactly the code your tests call. Needs the assembly's PDB (the default, portable or embedded).
/// </summary>
/// <example>
/// <code>
/// [Fact]
/// public void NeuronGradientIsUnchanged() => GeneratedSource.Verify(typeof(Model), nameof(Model.Neuron));
/// </code>
/// </example>
public static class GeneratedSource
{
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
    private const string GeneratorFolder = "SymbolicDiff.Generator.DifferentiableGenerator";

    /// <summary>
    /// The generated file of <paramref name="method"/> in <paramref name="type"/>, or of every [Differentiable] method of the
    /// type when <paramref name="method"/> is null (files in name order, each headed by <c>// Generated file: name</c> when there are several).
    /// </summary>
    /// <exception cref="InvalidOperationException">No PDB, or nothing generated for that method or type.</exception>
    public static string Of(Type type, string? method = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        var files = FilesOf(type.Assembly)
            .Where(f => Matches(f.Key, type, method))
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"No generated source for {type.FullName}{(method is null ? "" : "." + method)} in the PDB of " +
                $"{type.Assembly.GetName().Name}. Is the method [Differentiable], and does the build produce a portable PDB (DebugType portable or embedded)?");
        }
        return files.Count == 1 ? files[0].Value
            : string.Concat(files.Select(f => $"// Generated file: {f.Key}\n{f.Value}"));
    }

    /// <summary>
    /// Snapshots the generated code of <paramref name="method"/> (or of the whole type) against
    /// <c>Snapshots/&lt;Type&gt;.&lt;method&gt;.verified.cs</c> beside the calling test file; see <see cref="SnapshotFile"/>.
    /// </summary>
    public static void Verify(Type type, string? method = null, string? directory = null, [CallerFilePath] string callerFile = "") =>
        SnapshotFile.Verify(type.Name + (method is null ? "" : "." + method), Of(type, method), directory ?? SnapshotFile.BesideCaller(callerFile), callerFile);

    /// <summary>Generated files of an assembly by hint name (the file name the generator chose).</summary>
    public static IReadOnlyDictionary<string, string> FilesOf(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        string location = assembly.Location;
        if (string.IsNullOrEmpty(location))
        {
            throw new InvalidOperationException($"{assembly.GetName().Name} was not loaded from a file, so its PDB cannot be found.");
        }
        using var pe = new PEReader(File.OpenRead(location));
        if (!pe.TryOpenAssociatedPortablePdb(location, path => File.Exists(path) ? File.OpenRead(path) : null, out var provider, out _)
            || provider is null)
        {
            throw new InvalidOperationException($"No portable PDB for {location}: build with DebugType portable or embedded.");
        }
        using (provider)
        {
            var reader = provider.GetMetadataReader();
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var handle in reader.Documents)
            {
                string path = reader.GetString(reader.GetDocument(handle).Name).Replace('\\', '/');
                if (path.Contains("/" + GeneratorFolder + "/", StringComparison.Ordinal) && EmbeddedText(reader, handle) is { } text)
                {
                    files[path[(path.LastIndexOf('/') + 1)..]] = text;
                }
            }
            return files;
        }
    }

    /// <summary>Hint names are <c>Namespace.Type.Method_ParameterTypes.g.cs</c>.</summary>
    private static bool Matches(string hintName, Type type, string? method)
    {
        string prefix = (type.Namespace is { Length: > 0 } ns ? ns + "." : "") + TypeName(type) + ".";
        if (!hintName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        string rest = hintName[prefix.Length..];
        return method is null ? !rest.Contains('.', StringComparison.Ordinal) || rest.IndexOf('_') < rest.IndexOf('.')
            : rest.StartsWith(method + "_", StringComparison.Ordinal) || rest.StartsWith(method + ".", StringComparison.Ordinal);
    }

    private static string TypeName(Type type)
    {
        string name = type.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0)
        {
            name = name[..tick];
        }
        return type.DeclaringType is null ? name : TypeName(type.DeclaringType) + "." + name;
    }

    /// <summary>The Embedded Source blob: a 4-byte uncompressed size (0: stored as is), then the text, deflated when the size is not 0.</summary>
    private static string? EmbeddedText(MetadataReader reader, DocumentHandle document)
    {
        foreach (var handle in reader.GetCustomDebugInformation(document))
        {
            var info = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(info.Kind) != EmbeddedSourceKind)
            {
                continue;
            }
            byte[] blob = reader.GetBlobBytes(info.Value);
            int size = BitConverter.ToInt32(blob, 0);
            byte[] bytes;
            if (size == 0)
            {
                bytes = blob[4..];
            }
            else
            {
                bytes = new byte[size];
                using var deflate = new DeflateStream(new MemoryStream(blob, 4, blob.Length - 4), CompressionMode.Decompress);
                deflate.ReadExactly(bytes);
            }
            return Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        }
        return null;
    }
}
