using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>
/// The usage a stream reports, summed over its <see cref="UsageContent"/> items the way <see cref="UsageDetails.Add"/>
/// sums them, without a copy for the one item a stream usually carries: the first item's details are read in place (as
/// the non-streaming path reads <see cref="ChatResponse.Usage"/>), and a sum is started only when a second one arrives.
/// </summary>
internal struct StreamUsage
{
    private bool _owned;

    /// <summary>Gets the usage so far, or <see langword="null"/> when the stream reported none.</summary>
    public UsageDetails? Details { get; private set; }

    /// <summary>Adds one reported usage.</summary>
    /// <param name="details">The usage of one <see cref="UsageContent"/>.</param>
    public void Add(UsageDetails details)
    {
        if (Details is null)
        {
            Details = details;
            return;
        }

        if (!_owned)
        {
            // Never written in place: the first details belong to the provider's update, which the caller also sees.
            var sum = new UsageDetails();
            sum.Add(Details);
            Details = sum;
            _owned = true;
        }

        Details.Add(details);
    }
}
