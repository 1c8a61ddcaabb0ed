using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>
/// <see cref="CheckpointSchedule"/> run the way a generated gradient runs it, on a model of the loop's state: the
/// forward pass keeps checkpoints where <see cref="CheckpointSchedule.Stored"/> says, then every backward step is checked
/// against where the carried variables really are.
/// </summary>
public class CheckpointScheduleTests
{
    /// <summary>What a schedule did to a loop: the order it reversed iterations in and how often each ran forward.</summary>
    private sealed record Run(List<int> Reversed, int[] ForwardRuns);

    /// <summary>
    /// Plays the generated code: the state is the number of the next iteration to run (what the carried variables
    /// hold), a checkpoint keeps such a number, in an array of the schedule's slots (a slot beyond them throws). Fails
    /// on any step that starts from the wrong state.
    /// </summary>
    private static Run Play(CheckpointSchedule schedule, int trips)
    {
        var checkpoints = new int?[schedule.Slots];
        var runs = new int[trips];
        int state = 0, until = 0;
        for (int t = 0; t < trips; t++)
        {
            if (until == 0)
            {
                checkpoints[schedule.Slot] = state;
                until = schedule.Stored();
            }
            until--;
            runs[t]++;
            state++;
        }
        var reversed = new List<int>();
        for (var step = schedule.Next(); step != CheckpointStep.Done; step = schedule.Next())
        {
            switch (step)
            {
                case CheckpointStep.Restore:
                    Assert.NotNull(checkpoints[schedule.Slot]);
                    state = checkpoints[schedule.Slot]!.Value;
                    break;
                case CheckpointStep.Store:
                    checkpoints[schedule.Slot] = state;
                    break;
                case CheckpointStep.Advance:
                    Assert.Equal(state, schedule.First);
                    Assert.True(schedule.End > schedule.First && schedule.End < trips, $"advance {schedule.First}..{schedule.End}");
                    for (int t = schedule.First; t < schedule.End; t++)
                    {
                        runs[t]++;
                    }
                    state = schedule.End;
                    break;
                case CheckpointStep.Reverse:
                    Assert.Equal(state, schedule.First);
                    Assert.True(schedule.End - schedule.First <= schedule.SegmentLength);
                    for (int t = schedule.End - 1; t >= schedule.First; t--)
                    {
                        reversed.Add(t);
                    }
                    state = -1;   // the reverse leaves the carried variables at no iteration's start
                    break;
                default:
                    throw new InvalidOperationException($"step {step}");
            }
            Assert.True(reversed.Count <= trips, "more reversed iterations than the loop has");
        }
        return new Run(reversed, runs);
    }

    /// <summary>The least r with C(c + r, r) ≥ segments: the bound of the binomial schedule.</summary>
    private static int LeastRepetitions(int slots, int segments)
    {
        int r = 0;
        while (CheckpointSchedule.Beta(slots, r, segments) < segments)
        {
            r++;
        }
        return r;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(99)]
    [InlineData(100)]
    [InlineData(101)]
    [InlineData(1000)]
    public void SquareRootCheckpointingRunsEveryIterationForwardTwice(int trips)
    {
        var schedule = new CheckpointSchedule();
        schedule.Start(trips, 8, 16, 0);
        Assert.Equal(trips <= 1 ? 1 : (int)Math.Ceiling(Math.Sqrt(trips)), schedule.SegmentLength);
        Assert.Equal(1, schedule.Runs);
        var run = Play(schedule, trips);
        Assert.Equal(Enumerable.Range(0, trips).Reverse(), run.Reversed);
        Assert.All(run.ForwardRuns, r => Assert.Equal(1, r));   // the forward pass only; the reverse runs each once more
    }

    /// <summary>Every (segments, slots) pair up to 40 × 12, with segments of 1 and 3 iterations.</summary>
    public static IEnumerable<object[]> Shapes() =>
        from segments in Enumerable.Range(1, 40)
        from slots in new[] { 1, 2, 3, 4, 5, 7, 12 }
        from length in new[] { 1, 3 }
        select new object[] { segments, slots, length };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheBinomialScheduleReversesEveryIterationOnceInOrderWithinItsSlotsAndRuns(int segments, int slots, int length)
    {
        int trips = segments * length - (length > 1 ? 1 : 0);   // a short last segment
        var schedule = CheckpointSchedule.Create(trips, length, slots);
        Assert.Equal(segments, schedule.Segments);
        var run = Play(schedule, trips);

        Assert.Equal(Enumerable.Range(0, trips).Reverse(), run.Reversed);
        Assert.Equal(slots, schedule.Slots);
        int most = run.ForwardRuns.DefaultIfEmpty(0).Max();
        Assert.True(most <= schedule.Runs, $"an iteration ran {most} times, the schedule says at most {schedule.Runs}");
        Assert.True(schedule.Runs <= LeastRepetitions(slots, segments) + 1, $"Runs {schedule.Runs} over the binomial bound");
        if (slots >= segments)
        {
            Assert.Equal(1, most);
        }
        if (slots == 1)
        {
            Assert.Equal(segments, run.ForwardRuns[0]);   // one checkpoint: the first segment runs again for each later one
        }
    }

    [Fact]
    public void AMillionStepsWithSixteenCheckpointsRunFewTimesEach()
    {
        // 10⁶ steps in segments of 64 and 16 checkpoints: 15,625 segments, C(16 + 4, 4) = 4,845 < 15,625 ≤ C(16 + 5, 5).
        var schedule = CheckpointSchedule.Create(1_000_000, 64, 16);
        var run = Play(schedule, 1_000_000);
        Assert.Equal(1_000_000, run.Reversed.Count);
        Assert.Equal(5, LeastRepetitions(16, 15_625));
        Assert.InRange(run.ForwardRuns.Max(), 2, 6);
        double average = run.ForwardRuns.Average();
        Assert.True(average < 5, $"each step ran {average} times on average");
    }

    [Theory]
    [InlineData(1_000_000, 8, 16, 16 * 1024)]
    [InlineData(1_000_000, 8, 16, 64 * 1024)]
    [InlineData(1_000_000, 16, 24, 4096)]
    [InlineData(1000, 8, 16, 1L << 30)]
    [InlineData(5, 8, 16, 1024)]
    [InlineData(10_000, 8, 16, 100)]
    [InlineData(300, 8, 16, 1)]   // below one iteration and one checkpoint: one of each
    public void TheBuffersFitTheMemoryLimit(int trips, int checkpointBytes, int iterationBytes, long limit)
    {
        var schedule = new CheckpointSchedule();
        schedule.Start(trips, checkpointBytes, iterationBytes, limit);
        long used = (long)schedule.Slots * (checkpointBytes + sizeof(int)) + (long)schedule.SegmentLength * iterationBytes;
        long least = checkpointBytes + sizeof(int) + iterationBytes;
        Assert.True(used <= Math.Max(limit, least), $"{used} bytes kept under a limit of {limit}");
        // Powers of two, as the pool rents them.
        Assert.Equal(0, schedule.SegmentLength & (schedule.SegmentLength - 1));
        Assert.Equal(0, schedule.Slots & (schedule.Slots - 1));
        var run = Play(schedule, trips);
        Assert.Equal(trips, run.Reversed.Count);
        Assert.True(run.ForwardRuns.DefaultIfEmpty(1).Max() <= schedule.Runs);
    }

    [Fact]
    public void AGenerousLimitKeepsTheWholeLoopInOneSegment()
    {
        var schedule = new CheckpointSchedule();
        schedule.Start(1000, 8, 16, 1L << 30);
        Assert.Equal(1024, schedule.SegmentLength);
        Assert.Equal(1, schedule.Segments);
        Assert.Equal(1, schedule.Runs);
        schedule.Return();
    }

    [Fact]
    public void AScheduleStartedAgainReusesItsBuffer()
    {
        // A checkpointed loop inside another loop starts its schedule in every iteration of that loop.
        var schedule = new CheckpointSchedule();
        schedule.Start(1000, 8, 16, 4096);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i <= 5; i++)
        {
            schedule.Start(1000 - i, 8, 16, 4096);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(Enumerable.Range(0, 995).Reverse(), Play(schedule, 995).Reversed);
        schedule.Return();
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var schedule = new CheckpointSchedule();
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Start(-1, 8, 8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Start(10, 8, 8, -5));
    }

    [Fact]
    public void BetaIsTheBinomialCoefficientCappedWithoutOverflow()
    {
        Assert.Equal(1, CheckpointSchedule.Beta(5, 0, 100));
        Assert.Equal(6, CheckpointSchedule.Beta(5, 1, 100));
        Assert.Equal(21, CheckpointSchedule.Beta(5, 2, 100));   // C(7, 2)
        Assert.Equal(100, CheckpointSchedule.Beta(5, 10, 100)); // C(15, 10) = 3003, capped
        Assert.Equal(int.MaxValue, CheckpointSchedule.Beta(int.MaxValue - 10, 40, int.MaxValue));
    }
}
