using System.Text;
using LlmOps.Guardrails;
using LlmOps.Guardrails.Scanners;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Guardrails;

/// <summary>
/// Streaming and non-streaming agree: for random answers sprinkled with secrets and PII, cut into random chunks, the
/// streamed text (buffered and incremental) equals the non-streamed text, and no sensitive value ever reaches the caller.
/// </summary>
public sealed class StreamingParityTests : IDisposable
{
    private readonly LlmOpsTelemetry _telemetry = new();

    public void Dispose() => _telemetry.Dispose();

    [Theory]
    [InlineData(GuardrailStreamingMode.Buffered, 1)]
    [InlineData(GuardrailStreamingMode.Buffered, 2)]
    [InlineData(GuardrailStreamingMode.Incremental, 3)]
    [InlineData(GuardrailStreamingMode.Incremental, 4)]
    [InlineData(GuardrailStreamingMode.Buffered, 5)]
    [InlineData(GuardrailStreamingMode.Buffered, 6)]
    public async Task GetStreamingResponseAsync_RandomAnswersAndChunks_MatchNonStreaming(GuardrailStreamingMode mode, int seed)
    {
        var rng = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            var (reply, sensitive) = RandomAnswer(rng);
            var inner = new RecordingInnerClient { Reply = _ => reply };
            var sizes = rng.Next(3) switch { 0 => 1, 1 => rng.Next(2, 12), _ => rng.Next(12, 300) };
            inner.Chunker = r => RandomChunks(r, rng, sizes);
            var options = new GuardrailsOptions { StreamingMode = mode, WindowSize = rng.Next(2) == 0 ? 800 : 160, WindowOverlap = 120 };
            options.Guardrails.Add(new PiiGuardrail());
            options.Guardrails.Add(new SecretsGuardrail());
            using var client = new GuardrailsChatClient(inner, options, _telemetry);

            var whole = (await client.GetResponseAsync("go")).Text;
            var streamed = new StringBuilder();
            await foreach (var update in client.GetStreamingResponseAsync("go"))
            {
                foreach (var value in sensitive)
                {
                    Assert.DoesNotContain(value, update.Text, StringComparison.Ordinal);
                }

                streamed.Append(update.Text);
            }

            Assert.Equal(whole, streamed.ToString());
            foreach (var value in sensitive)
            {
                Assert.DoesNotContain(value, whole, StringComparison.Ordinal);
            }
        }
    }

    private static (string Reply, List<string> Sensitive) RandomAnswer(Random rng)
    {
        string[] words = ["the", "report", "shows", "growth", "in", "every", "region", "and", "we", "expect", "more", "next", "quarter", "please", "review", "é", "naïve", "🙂", "—", "\n"];
        var sensitive = new List<string>();
        var builder = new StringBuilder();
        var length = rng.Next(20, 2500);
        while (builder.Length < length)
        {
            switch (rng.Next(40))
            {
                case 0:
                    var key = TestSecrets.AwsAccessKeyId(rng);
                    sensitive.Add(key);
                    builder.Append(key);
                    break;
                case 1:
                    var token = TestSecrets.GitHub(rng);
                    sensitive.Add(token);
                    builder.Append(token);
                    break;
                case 2:
                    var email = $"user{rng.Next(1000)}@example.com";
                    sensitive.Add(email);
                    builder.Append(email);
                    break;
                case 3:
                    builder.Append("4111 1111 1111 1111");
                    sensitive.Add("4111 1111 1111 1111");
                    break;
                case 4:
                    builder.Append("DE89 3704 0044 0532 0130 00");
                    sensitive.Add("DE89 3704 0044 0532 0130 00");
                    break;
                case 5:
                    builder.Append("SSN 123-45-6789");
                    sensitive.Add("123-45-6789");
                    break;
                case 6:
                    builder.Append("call +44 20 7946 0958");
                    sensitive.Add("7946 0958");
                    break;
                default:
                    builder.Append(words[rng.Next(words.Length)]);
                    break;
            }

            builder.Append(' ');
        }

        return (builder.ToString(), sensitive);
    }

    private static List<string> RandomChunks(string text, Random rng, int typical)
    {
        var chunks = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var size = Math.Min(text.Length - i, Math.Max(1, typical + rng.Next(-typical / 2, typical / 2 + 1)));

            // Never split a surrogate pair across chunks: providers stream whole code points.
            if (i + size < text.Length && char.IsHighSurrogate(text[i + size - 1]))
            {
                size++;
            }

            chunks.Add(text.Substring(i, size));
            i += size;
        }

        return chunks;
    }
}
