using System.Diagnostics;
using LlmOps.Metering;
using Xunit.Abstractions;

namespace LlmOps.Quality.Metering;

/// <summary>
/// Issue 14 §5: counting one long word is linear, not quadratic. The check compares the CPU time of this thread for
/// 1 MB against 128 KB (8× the input): linear work takes about 8× as long, quadratic work about 64×. A ratio, not an
/// absolute bound, so a slower or busier machine does not fail it; the absolute bound only catches a hang.
/// </summary>
public sealed class TokenCounterScalingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("random-letters")]
    [InlineData("one-letter")]
    [InlineData("whitespace")]
    public void CountTokens_OneMegabyteSingleWord_ScalesLinearly(string kind)
    {
        var counter = new TokenCounter();
        counter.CountTokens("warm up the tokenizer", "gpt-4o");
        var small = Text(kind, 1 << 17);
        var large = Text(kind, 1 << 20);
        counter.CountTokens(small, "gpt-4o");

        // Best of three for each size: the least disturbed by other work on the machine.
        var (smallCpu, _) = BestOfThree(counter, small);
        var (largeCpu, count) = BestOfThree(counter, large);
        var ratio = largeCpu.TotalMilliseconds / Math.Max(1, smallCpu.TotalMilliseconds);

        output.WriteLine($"{kind}: 128 KB {smallCpu.TotalMilliseconds:F0} ms, 1 MB {largeCpu.TotalMilliseconds:F0} ms of CPU ({count} tokens), ratio {ratio:F1}");
        Assert.True(count > 0);
        Assert.True(ratio < 24, $"{kind}: 8x the input took {ratio:F1}x the CPU (linear is about 8, quadratic about 64)");
        Assert.True(largeCpu < TimeSpan.FromSeconds(30), $"{kind}: {largeCpu.TotalMilliseconds:F0} ms of CPU for 1 MB");
    }

    private static (TimeSpan Cpu, int Count) BestOfThree(TokenCounter counter, string text)
    {
        var best = TimeSpan.MaxValue;
        var count = 0;
        for (var i = 0; i < 3; i++)
        {
            var before = ThreadCpu();
            count = counter.CountTokens(text, "gpt-4o");
            var cpu = ThreadCpu() - before;
            best = cpu < best ? cpu : best;
        }

        return (best, count);
    }

    private static string Text(string kind, int length)
    {
        var random = new Random(14);
        return string.Create(length, (kind, random), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.kind switch
                {
                    "random-letters" => (char)('a' + state.random.Next(26)),
                    "one-letter" => 'a',
                    _ => ' ',
                };
            }
        });
    }

    private static TimeSpan ThreadCpu()
    {
        // The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID on Linux); the process's elsewhere.
        if (OperatingSystem.IsLinux() && ClockGetTime(3, out var ts) == 0)
        {
            return TimeSpan.FromTicks((ts.Seconds * TimeSpan.TicksPerSecond) + (ts.Nanoseconds / 100));
        }

        return Process.GetCurrentProcess().TotalProcessorTime;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
