using System.Diagnostics.Metrics;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Demo;

/// <summary>The five-line program, and what the telemetry stage recorded for each request.</summary>
internal static class PipelineSection
{
    public static async Task RunAsync(DemoContext demo)
    {
        demo.Out.WriteLine("== Pipeline and telemetry: services.AddLlmOps(); services.AddChatClient(model).UseLlmOps();");

        var services = new ServiceCollection();
        services.AddLlmOps();
        services.AddChatClient(demo.CreateModel()).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var telemetry = provider.GetRequiredService<LlmOpsTelemetry>();

        var row = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == telemetry.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => row[instrument.Name] = value);
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "gen_ai.token.type")
                {
                    row[$"tokens.{tag.Value}"] = value;
                }
            }
        });
        listener.Start();

        (string Prompt, bool Stream)[] requests =
        [
            ("What is the capital of France?", false),
            ("What is the capital of France?", true),
            ("Summarise our refund policy in one line.", false),
            ("Summarise our refund policy in one line.", true),
        ];

        demo.Out.WriteLine($"{"request",-44} {"mode",-9} {"latency ms",10} {"TTFT ms",8} {"in tok",7} {"out tok",8} {"tok/s",9}");
        foreach (var (prompt, stream) in requests)
        {
            row.Clear();
            if (stream)
            {
                await foreach (var _ in client.GetStreamingResponseAsync(prompt))
                {
                }
            }
            else
            {
                await client.GetResponseAsync(prompt);
            }

            demo.Out.WriteLine(
                $"{prompt,-44} {(stream ? "stream" : "complete"),-9} {Ms(row, "gen_ai.client.operation.duration"),10} " +
                $"{Ms(row, "llmops.client.time_to_first_token"),8} {Get(row, "tokens.input"),7} {Get(row, "tokens.output"),8} " +
                $"{Get(row, "llmops.client.output_tokens_per_second", "F0"),9}");
        }

        demo.Out.WriteLine();
    }

    private static string Ms(Dictionary<string, double> row, string key) => row.TryGetValue(key, out var s) ? (s * 1000).ToString("F2") : "-";

    private static string Get(Dictionary<string, double> row, string key, string format = "F0") => row.TryGetValue(key, out var v) ? v.ToString(format) : "-";
}
