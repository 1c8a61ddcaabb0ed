using System;
using System.IO;
using System.IO.Compression;

namespace SymbolicDiff.Samples.Data;

/// <summary>A set of greyscale images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/>×<see cref="Cols"/> bytes.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Cols">Image width.</param>
/// <param name="Pixels">Row-major pixels, image after image (Count·Rows·Cols bytes, 0–255).</param>
public sealed record IdxImages(int Count, int Rows, int Cols, byte[] Pixels)
{
    /// <summary>Pixels of image <paramref name="i"/>.</summary>
    /// <param name="i">Image index.</param>
    /// <returns>Rows·Cols bytes.</returns>
    public ReadOnlySpan<byte> Image(int i)
    {
        if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i), i, $"Image index out of range (Count = {Count}).");
        return Pixels.AsSpan(i * Rows * Cols, Rows * Cols);
    }

    /// <summary>Image <paramref name="i"/> scaled to [0, 1] into <paramref name="dst"/>.</summary>
    /// <param name="i">Image index.</param>
    /// <param name="dst">Output of length Rows·Cols.</param>
    public void CopyNormalized(int i, Span<float> dst)
    {
        ReadOnlySpan<byte> img = Image(i);
        if (dst.Length != img.Length) throw new ArgumentException($"dst has length {dst.Length} but an image has {img.Length} pixels.", nameof(dst));
        for (int k = 0; k < img.Length; k++) dst[k] = img[k] / 255f;
    }
}

/// <summary>Reader for the IDX format of MNIST and Fashion-MNIST (big-endian headers; optionally gzip-compressed).</summary>
public static class Idx
{
    /// <summary>Magic number of an unsigned-byte, 3-dimensional IDX file (images).</summary>
    public const int ImagesMagic = 2051;

    /// <summary>Magic number of an unsigned-byte, 1-dimensional IDX file (labels).</summary>
    public const int LabelsMagic = 2049;

    /// <summary>Reads an images file; a path ending in <c>.gz</c> is decompressed.</summary>
    /// <param name="path">File path.</param>
    /// <returns>The images.</returns>
    public static IdxImages ReadImages(string path)
    {
        using Stream s = Open(path);
        return ReadImages(s);
    }

    /// <summary>Reads a labels file; a path ending in <c>.gz</c> is decompressed.</summary>
    /// <param name="path">File path.</param>
    /// <returns>One label byte per example.</returns>
    public static byte[] ReadLabels(string path)
    {
        using Stream s = Open(path);
        return ReadLabels(s);
    }

    /// <summary>Reads an (uncompressed) images stream.</summary>
    /// <param name="stream">Source positioned at the header.</param>
    /// <returns>The images.</returns>
    public static IdxImages ReadImages(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int magic = ReadInt32BigEndian(stream);
        if (magic != ImagesMagic) throw new InvalidDataException($"Not an IDX images file: magic {magic}, expected {ImagesMagic}.");
        int count = ReadInt32BigEndian(stream), rows = ReadInt32BigEndian(stream), cols = ReadInt32BigEndian(stream);
        if (count < 0 || rows < 0 || cols < 0) throw new InvalidDataException($"Invalid IDX images shape {count}×{rows}×{cols}.");
        var pixels = new byte[checked(count * rows * cols)];
        stream.ReadExactly(pixels);
        return new IdxImages(count, rows, cols, pixels);
    }

    /// <summary>Reads an (uncompressed) labels stream.</summary>
    /// <param name="stream">Source positioned at the header.</param>
    /// <returns>One label byte per example.</returns>
    public static byte[] ReadLabels(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int magic = ReadInt32BigEndian(stream);
        if (magic != LabelsMagic) throw new InvalidDataException($"Not an IDX labels file: magic {magic}, expected {LabelsMagic}.");
        int count = ReadInt32BigEndian(stream);
        if (count < 0) throw new InvalidDataException($"Invalid IDX label count {count}.");
        var labels = new byte[count];
        stream.ReadExactly(labels);
        return labels;
    }

    private static Stream Open(string path)
    {
        Stream file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static int ReadInt32BigEndian(Stream s)
    {
        Span<byte> b = stackalloc byte[4];
        s.ReadExactly(b);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b);
    }
}
