using System.Runtime.InteropServices;

namespace LlmOps.Benchmarks;

/// <summary>
/// The calling thread's CPU time (<c>CLOCK_THREAD_CPUTIME_ID</c> on Linux; NaN elsewhere): on a shared machine,
/// wall-clock figures include the time a thread waited for a core, thread CPU time does not.
/// </summary>
internal static class ThreadCpuTime
{
    /// <summary>The calling thread's CPU time so far, in microseconds.</summary>
    public static double Microseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }

        _ = ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var ts);
        return (ts.Seconds * 1e6) + (ts.Nanoseconds / 1e3);
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
