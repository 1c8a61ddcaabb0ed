using System;
using System.Numerics;

namespace SymbolicDiff.Training;

/// <summary>
/// Deterministic pseudo-random generator (xoshiro256** seeded through SplitMix64). Given the same seed it
/// produces the same sequence on every run, runtime and platform — unlike <see cref="System.Random"/>,
/// whose algorithm is an implementation detail.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    /// <summary>Creates a generator from a 64-bit seed (any value, including 0).</summary>
    /// <param name="seed">Seed.</param>
    public Rng(ulong seed) => Reseed(seed);

    /// <summary>Restarts the generator as <c>new Rng(seed)</c> would, without allocating (e.g. one stream per example, reseeded for each).</summary>
    /// <param name="seed">Seed.</param>
    public void Reseed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
        _hasSpare = false;
    }

    /// <summary>
    /// The seed of stream (<paramref name="a"/>, <paramref name="b"/>) of <paramref name="seed"/>, e.g. (epoch, example):
    /// each input passes through SplitMix64's mixing, so nearby inputs give unrelated seeds. Random draws made per item from
    /// such a stream do not depend on which thread handles the item or in what order.
    /// </summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="a">First coordinate of the stream.</param>
    /// <param name="b">Second coordinate of the stream.</param>
    /// <returns>A seed for <see cref="Reseed"/> or the constructor.</returns>
    public static ulong StreamSeed(ulong seed, ulong a, ulong b)
    {
        ulong x = seed;
        ulong h = SplitMix64(ref x);
        x = h ^ a;
        h = SplitMix64(ref x);
        x = h ^ b;
        return SplitMix64(ref x);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next raw 64-bit output of xoshiro256**.</summary>
    /// <returns>A uniformly distributed 64-bit value.</returns>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    /// <returns>A value in [0, 1).</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    /// <param name="min">Inclusive lower bound.</param>
    /// <param name="max">Exclusive upper bound.</param>
    /// <returns>A uniformly distributed value.</returns>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    /// <param name="maxExclusive">Exclusive upper bound (&gt; 0).</param>
    /// <returns>A uniformly distributed integer.</returns>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Upper bound must be positive.");
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound; // 2^64 mod bound
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>Standard normal sample N(0, 1) via the Box–Muller transform (pairs are cached).</summary>
    /// <returns>A normally distributed value.</returns>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double theta = 2.0 * Math.PI * u2;
        _spareGaussian = r * Math.Sin(theta);
        _hasSpare = true;
        return r * Math.Cos(theta);
    }

    /// <summary>Normal sample N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    /// <param name="mean">Mean.</param>
    /// <param name="std">Standard deviation.</param>
    /// <returns>A normally distributed value.</returns>
    public double NextGaussian(double mean, double std) => mean + std * NextGaussian();

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates), deterministically for a given seed.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="items">Items to permute.</param>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
