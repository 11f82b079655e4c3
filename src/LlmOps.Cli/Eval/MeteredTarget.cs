using LlmOps.Metering;
using Microsoft.Extensions.AI;

namespace LlmOps.Cli.Eval;

/// <summary>Wraps the evaluated target to price each answer (the library's <see cref="CostCalculator"/>) for the "cost so far" of the progress bar.</summary>
internal sealed class MeteredTarget(IChatClient inner, string? model) : DelegatingChatClient(inner)
{
    private readonly CostCalculator _calculator = new();
    private readonly Lock _gate = new();
    private decimal _cost;

    public decimal Cost
    {
        get
        {
            lock (_gate)
            {
                return _cost;
            }
        }
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (response.Usage is { } usage)
        {
            decimal cost = _calculator.Calculate(response.ModelId ?? model, usage).Cost;
            lock (_gate)
            {
                _cost += cost;
            }
        }

        return response;
    }
}
