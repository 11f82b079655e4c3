using System.Diagnostics;
using LlmOps.Metering;
using Xunit.Abstractions;

namespace LlmOps.Quality.Metering;

/// <summary>Issue 14 §5: counting one long word is linear. CPU time of this thread, not wall time, so a busy machine does not fail it.</summary>
public sealed class TokenCounterScalingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("random-letters")]
    [InlineData("one-letter")]
    [InlineData("whitespace")]
    public void CountTokens_OneMegabyteSingleWord_UnderOneSecondOfCpu(string kind)
    {
        var random = new Random(14);
        var text = string.Create(1 << 20, (kind, random), static (span, state) =>
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
        var counter = new TokenCounter();
        counter.CountTokens("warm up the tokenizer", "gpt-4o");

        var before = ThreadCpu();
        var count = counter.CountTokens(text, "gpt-4o");
        var cpu = ThreadCpu() - before;

        output.WriteLine($"{kind}: {cpu.TotalMilliseconds:F0} ms of CPU for 1 MB ({count} tokens)");
        Assert.True(count > 0);
        Assert.True(cpu < TimeSpan.FromSeconds(1), $"{kind}: {cpu.TotalMilliseconds:F0} ms of CPU for 1 MB ({count} tokens)");
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
