using System;
using System.Buffers.Binary;
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

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST: a big-endian header (magic number 0x0000_08_0N for unsigned bytes
/// in N dimensions, then N sizes) followed by exactly the bytes the sizes give; optionally gzip-compressed. A malformed
/// file throws a <see cref="DataFormatException"/> whose one-line message names the file, what was expected and what was found.
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an unsigned-byte, 3-dimensional IDX file (images).</summary>
    public const int ImagesMagic = 0x0803;

    /// <summary>Magic number of an unsigned-byte, 1-dimensional IDX file (labels).</summary>
    public const int LabelsMagic = 0x0801;

    /// <summary>Reads an images file; a path ending in <c>.gz</c> is decompressed.</summary>
    /// <param name="path">File path (used as the name in messages).</param>
    /// <returns>The images.</returns>
    public static IdxImages ReadImages(string path) => ReadImages(ReadAll(path), path);

    /// <summary>Reads a labels file; a path ending in <c>.gz</c> is decompressed.</summary>
    /// <param name="path">File path (used as the name in messages).</param>
    /// <returns>One label byte per example.</returns>
    public static byte[] ReadLabels(string path) => ReadLabels(ReadAll(path), path);

    /// <summary>Reads an (uncompressed) images file's content.</summary>
    /// <param name="bytes">The content.</param>
    /// <param name="name">The name used in messages.</param>
    /// <returns>The images.</returns>
    public static IdxImages ReadImages(ReadOnlySpan<byte> bytes, string name)
    {
        int[] sizes = Header(bytes, name, dimensions: 3, "images");
        int count = sizes[0], rows = sizes[1], cols = sizes[2];
        byte[] pixels = Body(bytes, name, (long)count * rows * cols, $"{count} images of {rows}×{cols}");
        return new IdxImages(count, rows, cols, pixels);
    }

    /// <summary>Reads an (uncompressed) labels file's content.</summary>
    /// <param name="bytes">The content.</param>
    /// <param name="name">The name used in messages.</param>
    /// <returns>One label byte per example.</returns>
    public static byte[] ReadLabels(ReadOnlySpan<byte> bytes, string name)
    {
        int count = Header(bytes, name, dimensions: 1, "labels")[0];
        return Body(bytes, name, count, $"{count} labels");
    }

    // Checks the magic number and returns the sizes.
    private static int[] Header(ReadOnlySpan<byte> bytes, string name, int dimensions, string what)
    {
        int magic = 0x0800 | dimensions, headerLength = 4 + 4 * dimensions;
        string expected = $"an IDX {what} file: magic number {magic} (unsigned bytes, {dimensions} dimension{(dimensions == 1 ? "" : "s")}), then {dimensions} size{(dimensions == 1 ? "" : "s")}";
        if (bytes.IsEmpty)
        {
            throw new DataFormatException($"{name}: empty file, expected {expected}");
        }
        if (bytes.Length < 4)
        {
            throw new DataFormatException($"{name}: truncated header of {bytes.Length} bytes, expected {expected} ({headerLength} bytes)");
        }
        int found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found >> 8 == 0x08 && (found & 0xFF) != dimensions)
        {
            throw new DataFormatException($"{name}: an IDX file of {found & 0xFF} dimension{((found & 0xFF) == 1 ? "" : "s")} (magic number {found}), expected {expected}");
        }
        if (found != magic)
        {
            throw new DataFormatException($"{name}: magic number {found} (0x{found:X8}), expected {expected}");
        }
        if (bytes.Length < headerLength)
        {
            throw new DataFormatException($"{name}: truncated header of {bytes.Length} bytes, expected {headerLength} ({dimensions} size{(dimensions == 1 ? "" : "s")} after the magic number)");
        }
        var sizes = new int[dimensions];
        for (int d = 0; d < dimensions; d++)
        {
            sizes[d] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * d)..]);
            if (sizes[d] < 0)
            {
                throw new DataFormatException($"{name}: size {d + 1} of the header is {sizes[d]}, expected a count ≥ 0");
            }
        }
        return sizes;
    }

    // The bytes after the header, which must be exactly `length` long.
    private static byte[] Body(ReadOnlySpan<byte> bytes, string name, long length, string what)
    {
        int header = bytes.Length < 8 ? 0 : 4 + 4 * (BinaryPrimitives.ReadInt32BigEndian(bytes) & 0xFF);
        long found = bytes.Length - header;
        if (found != length)
        {
            throw new DataFormatException(found < length
                ? $"{name}: truncated: the header gives {what} = {length} bytes of data, found {found}"
                : $"{name}: {found - length} bytes after the {length} bytes of data the header gives ({what})");
        }
        return bytes[header..].ToArray();
    }

    private static byte[] ReadAll(string path)
    {
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            return File.ReadAllBytes(path);
        }
        try
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var memory = new MemoryStream();
            gzip.CopyTo(memory);
            return memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: not valid gzip data ({e.Message.TrimEnd('.')})", e);
        }
    }
}
