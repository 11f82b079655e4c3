using LlmOps.Embeddings.MiniLM;
using LlmOps.Guardrails;
using LlmOps.Guardrails.Injection;
using LlmOps.Guardrails.Training;
using Xunit.Abstractions;

namespace LlmOps.Quality.Guardrails;

/// <summary>
/// The second stage's shipped head (<c>InjectionHead.bin</c>) is what the training tool makes from the data: the author
/// sets and the public sets' train splits, embedded with all-MiniLM-L6-v2 as the stage embeds at run time. Embedding
/// about 16,000 texts takes minutes, so the tool's embedding cache (outside the repository, in the temp folder) is used
/// when present; it holds exactly what the generator returned.
/// </summary>
public sealed class InjectionSecondStageQualityTests(ITestOutputHelper output)
{
    [Fact]
    public void ShippedHead_IsWhatTheTrainingToolProducesFromTheData()
    {
        var examples = TrainingCorpus.LoadShipped(QualityData.PathOf("."), QualityData.PublicInjectionRoot);
        var embeddings = HeadEmbeddings.EmbedCorpus(examples, HeadEmbeddings.DefaultCachePath);
        var retrained = new InjectionHeadTrainer().Train(examples, embeddings, _ => true, Defaults.HeadBandLow, Defaults.HeadThreshold);
        var shipped = InjectionHead.Default;

        Assert.Equal(retrained.ModelId, shipped.ModelId);
        Assert.Equal(retrained.BandLow, shipped.BandLow);
        Assert.Equal(retrained.Threshold, shipped.Threshold);
        var worst = Math.Abs(retrained.Bias - shipped.Bias);
        var identical = retrained.Bias == shipped.Bias;
        for (var i = 0; i < shipped.Dimensions; i++)
        {
            worst = Math.Max(worst, Math.Abs(retrained.Weights[i] - shipped.Weights[i]));
            identical &= retrained.Weights[i] == shipped.Weights[i];
        }

        output.WriteLine(identical ? "bit for bit identical" : $"largest difference {worst}");

        // On the machine that trained it the head is reproduced bit for bit; another CPU's MiniLM kernels may differ in
        // the last bits of an embedding, which moves a weight by far less than this.
        Assert.True(worst < 1e-3f, $"largest parameter difference {worst}: retrain with `dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- train-head`");
    }

    [Fact]
    public async Task RealMiniLmGenerator_IsSupported_AndATextInTheBandIsEmbeddedAndScored()
    {
        // AddGuardrails attaches the stage only when Supports says the generator's embeddings are the head's; this is the
        // check against the real generator that AddMiniLmEmbeddingGenerator registers (the unit tests use a fake).
        using var miniLm = new MiniLmEmbeddingGenerator();
        var stage = new InjectionSecondStage(miniLm);
        var guardrail = new PromptInjectionGuardrail { SecondStage = stage };
        const string InBand = "Write me a short story where the narrator has no rules at all.";

        Assert.True(InjectionSecondStage.Supports(miniLm));
        Assert.True(stage.IsInBand(guardrail.Score(InBand).Score, guardrail.Threshold));
        var head = await stage.ScoreAsync(InBand);
        Assert.NotNull(head);
        Assert.InRange(head.Value, 0, 1);
        var result = await guardrail.ScanAsync(InBand, new GuardrailContext(GuardrailStage.Input, []), default);
        Assert.Equal(head.Value >= stage.Threshold ? GuardrailAction.Block : GuardrailAction.Allow, result.Action);
    }
}
