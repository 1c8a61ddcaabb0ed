using System;
using System.Numerics;

namespace SymbolicDiff;

/// <summary>What a checkpointed loop's backward pass does next (<see cref="CheckpointSchedule.Next"/>).</summary>
public enum CheckpointStep
{
    /// <summary>Every segment is reversed: the loop's backward pass is over.</summary>
    Done,

    /// <summary>Set the carried variables from checkpoint <see cref="CheckpointSchedule.Slot"/>.</summary>
    Restore,

    /// <summary>Keep the carried variables in checkpoint <see cref="CheckpointSchedule.Slot"/>.</summary>
    Store,

    /// <summary>Run iterations <see cref="CheckpointSchedule.First"/> up to <see cref="CheckpointSchedule.End"/> forward, keeping nothing.</summary>
    Advance,

    /// <summary>
    /// Run the segment <see cref="CheckpointSchedule.First"/> up to <see cref="CheckpointSchedule.End"/> forward keeping
    /// what its reverse reads, then reverse it (the carried variables hold its start).
    /// </summary>
    Reverse,
}

/// <summary>
/// Which iterations of a checkpointed loop (<see cref="DifferentiableAttribute.Checkpointing"/>,
/// <see cref="DifferentiableAttribute.LoopMemoryLimit"/>) keep their carried variables, and in what order its backward
/// pass restores, runs forward and reverses them.
/// </summary>
/// <remarks>
/// The loop is cut into segments of <see cref="SegmentLength"/> iterations; one segment's values are kept at a time, and
/// the carried variables at the start of at most <see cref="Slots"/> segments. With a slot for every segment, each
/// segment is run forward once more and reversed (√n checkpointing). With fewer, the checkpoints follow the binomial
/// schedule of Griewank's Revolve (Griewank and Walther, ACM TOMS 26(1), 2000): a segment range [a, b) whose start a is
/// checkpointed, with c slots counting a's, is cut at m so that [m, b) can be reversed with c − 1 slots and [a, m) with c
/// slots and one run fewer. No iteration runs forward more than <see cref="Runs"/> times (the forward pass included)
/// before its segment is reversed, which runs it once more: at most r + 1, with r the least number such that
/// C(c + r, r) ≥ the number of segments.
/// The checkpoints form a stack, so the schedule needs only their segment numbers, kept in a buffer from the calling
/// thread's pool (<see cref="Return"/> gives it back). A mutable struct: keep it in a local and call its methods there.
/// </remarks>
public struct CheckpointSchedule
{
    private int _trips, _top, _end, _at, _forwardSlot;
    private int[] _positions;

    /// <summary>Iterations per segment.</summary>
    public int SegmentLength { get; private set; }

    /// <summary>Segments in the loop.</summary>
    public int Segments { get; private set; }

    /// <summary>Checkpoints the schedule may hold at once.</summary>
    public int Slots { get; private set; }

    /// <summary>The checkpoint a <see cref="CheckpointStep.Restore"/> or <see cref="CheckpointStep.Store"/> step names; in the forward pass, the next one to keep.</summary>
    public int Slot { get; private set; }

    /// <summary>The first iteration (counted from 0) of an <see cref="CheckpointStep.Advance"/> or <see cref="CheckpointStep.Reverse"/> step.</summary>
    public int First { get; private set; }

    /// <summary>The iteration after the last one of an <see cref="CheckpointStep.Advance"/> or <see cref="CheckpointStep.Reverse"/> step.</summary>
    public int End { get; private set; }

    /// <summary>
    /// The most times an iteration runs forward before its segment is reversed, the forward pass included (1 with a slot
    /// for every segment). The reverse runs it once more.
    /// </summary>
    public int Runs { get; private set; }

    /// <summary>
    /// Starts the schedule of a loop of <paramref name="trips"/> iterations: ⌈√trips⌉ iterations per segment and a
    /// checkpoint for every segment when <paramref name="memoryLimit"/> is 0; otherwise segments and checkpoints sized
    /// so that the buffers the loop keeps take at most <paramref name="memoryLimit"/> bytes (see
    /// <see cref="DifferentiableAttribute.LoopMemoryLimit"/>), with the least recomputation that allows. A schedule
    /// started again (a loop inside another) reuses its buffer.
    /// </summary>
    /// <param name="trips">The loop's trip count.</param>
    /// <param name="checkpointBytes">Bytes of one checkpoint (the carried variables).</param>
    /// <param name="iterationBytes">Bytes the backward pass keeps per iteration of a segment.</param>
    /// <param name="memoryLimit">Bytes the loop may keep, or 0 for √n checkpointing.</param>
    public void Start(int trips, int checkpointBytes, int iterationBytes, long memoryLimit)
    {
        if (trips < 0 || checkpointBytes < 0 || iterationBytes < 0 || memoryLimit < 0)
        {
            throw new ArgumentOutOfRangeException(trips < 0 ? nameof(trips) : memoryLimit < 0 ? nameof(memoryLimit) : nameof(checkpointBytes));
        }
        int segment, slots;
        if (memoryLimit == 0)
        {
            segment = LoopBuffers.SegmentLength(trips);
            slots = Math.Max(1, LoopBuffers.Segments(trips, segment));
        }
        else
        {
            (segment, slots) = Fit(trips, checkpointBytes, iterationBytes, memoryLimit);
        }
        Start(trips, segment, slots);
    }

    /// <summary>A schedule with a given segment length and number of slots (for tests of the schedule itself).</summary>
    internal static CheckpointSchedule Create(int trips, int segmentLength, int slots)
    {
        var schedule = new CheckpointSchedule();
        schedule.Start(trips, segmentLength, slots);
        return schedule;
    }

    private void Start(int trips, int segmentLength, int slots)
    {
        _trips = trips;
        SegmentLength = segmentLength;
        Segments = LoopBuffers.Segments(trips, segmentLength);
        Slots = slots;
        _positions ??= Array.Empty<int>();
        LoopBuffers.Ensure(ref _positions, slots);
        PlanForwardPass();
    }

    /// <summary>
    /// Segment length and slot count within a memory limit: the segment takes up to half of it, the checkpoints (with
    /// their segment numbers, 4 bytes each) the rest, both powers of two, as pooled buffers are (at least one of each, even
    /// when the limit is smaller than that). Pooled buffers have at least 16 elements, so a limit below 16 iterations' and
    /// 16 checkpoints' worth recomputes more without keeping less.
    /// </summary>
    internal static (int Segment, int Slots) Fit(int trips, int checkpointBytes, int iterationBytes, long memoryLimit)
    {
        long wholeLoop = BitOperations.RoundUpToPowerOf2((uint)Math.Max(trips, 1));
        long segment = 1;
        while (segment < wholeLoop && 2 * segment * iterationBytes <= memoryLimit / 2)
        {
            segment *= 2;
        }
        long left = memoryLimit - segment * iterationBytes, perSlot = checkpointBytes + sizeof(int);
        long segments = Math.Max(1, (trips + segment - 1) / segment);
        long slots = 1;
        while (slots < segments && 2 * slots * perSlot <= left)
        {
            slots *= 2;
        }
        return ((int)segment, (int)slots);
    }

    /// <summary>Gives the schedule's buffer back to the calling thread's pool (a schedule never started has none).</summary>
    public void Return()
    {
        if (_positions is not null)
        {
            LoopBuffers.Return(_positions);
            _positions = Array.Empty<int>();
        }
    }

    /// <summary>
    /// In the forward pass, after checkpoint <see cref="Slot"/> is kept: moves to the next and returns how many
    /// iterations come before it (more than the loop has when there is none).
    /// </summary>
    public int Stored()
    {
        int from = _positions[_forwardSlot];
        _forwardSlot++;
        Slot = _forwardSlot;
        return _forwardSlot <= _top ? (int)Math.Min((long)(_positions[_forwardSlot] - from) * SegmentLength, int.MaxValue) : int.MaxValue;
    }

    /// <summary>The forward pass keeps checkpoints along the schedule's first cuts: [0, S) at m₁, [m₁, S) at m₂, …</summary>
    private void PlanForwardPass()
    {
        _end = Segments;
        _at = -1;
        _top = 0;
        _positions[0] = 0;
        Runs = 1;
        while (Segments - _positions[_top] > 1 && Slots - _top > 1)
        {
            int cut = Cut(_positions[_top], Segments, Slots - _top, out int runs);   // (the free slots and the top one's)
            _positions[++_top] = cut;
            Runs = Math.Max(Runs, runs);
        }
        if (Segments - _positions[_top] > 1)
        {
            Runs = Math.Max(Runs, Segments - _positions[_top]);   // one slot left: the rest runs again for each segment
        }
        Slot = 0;
        _forwardSlot = 0;
    }

    /// <summary>The next step of the loop's backward pass; its <see cref="Slot"/>, <see cref="First"/> and <see cref="End"/> say where.</summary>
    public CheckpointStep Next()
    {
        if (_end == 0)
        {
            return CheckpointStep.Done;
        }
        while (_positions[_top] >= _end)
        {
            _top--;   // a checkpoint of segments already reversed
        }
        int a = _positions[_top];
        if (_at > a)
        {
            // Just run forward to _at: reverse its segment if it is the last one left, else keep it.
            if (_at == _end - 1)
            {
                return Reversing(_at);
            }
            _positions[++_top] = _at;
            Slot = _top;
            return CheckpointStep.Store;
        }
        if (_at != a)
        {
            _at = a;
            Slot = _top;
            return CheckpointStep.Restore;
        }
        if (_end - a == 1)
        {
            return Reversing(a);
        }
        int slots = Slots - _top;   // free ones and a's own
        int to = slots == 1 ? _end - 1 : Cut(a, _end, slots, out _);
        First = a * SegmentLength;
        End = to * SegmentLength;
        _at = to;
        return CheckpointStep.Advance;
    }

    private CheckpointStep Reversing(int segment)
    {
        First = segment * SegmentLength;
        End = (int)Math.Min((long)First + SegmentLength, _trips);
        _end = segment;
        _at = -1;
        return CheckpointStep.Reverse;
    }

    /// <summary>
    /// Where to cut segments [a, b) with a checkpointed and <paramref name="slots"/> ≥ 2 slots counting a's: the least
    /// r with β(slots, r) = C(slots + r, r) ≥ b − a, and the cut that leaves [cut, b) at most β(slots − 1, r) segments
    /// (reversible with a slot fewer) and [a, cut) at most β(slots, r − 1) (one run fewer). <paramref name="runs"/> is r.
    /// </summary>
    internal static int Cut(int a, int b, int slots, out int runs)
    {
        int length = b - a;
        runs = 1;
        while (Beta(slots, runs, length) < length)
        {
            runs++;
        }
        return Math.Max(a + 1, b - (int)Beta(slots - 1, runs, length));
    }

    /// <summary>C(slots + runs, runs), or <paramref name="atMost"/> when larger (exact integer steps, no overflow).</summary>
    internal static long Beta(int slots, int runs, long atMost)
    {
        long value = 1;
        for (int i = 1; i <= runs; i++)
        {
            value = value * (slots + (long)i) / i;
            if (value >= atMost)
            {
                return atMost;
            }
        }
        return value;
    }
}
