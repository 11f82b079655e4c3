namespace LlmOps.Retrieval;

/// <summary>
/// The quantities of a source, read once by <see cref="GroundednessScorer"/>: its numbers, its units of measure, and what
/// each number is bound to (the word right after it, and the first content word after it and its unit), as sorted hash
/// sets.
/// </summary>
internal sealed class SourceQuantities
{
    public SourceQuantities(ulong[] numbers, ulong[] units, ulong[] bindings, ulong[] boundWords)
    {
        Numbers = numbers;
        Units = units;
        Bindings = bindings;
        BoundWords = boundWords;
        foreach (var unit in units)
        {
            UnitDimensions |= 1L << (int)(unit >> 32);
        }
    }

    /// <summary>Gets the numbers: the bits of each value (digits or number words, times any scale word; ordinals negated).</summary>
    public ulong[] Numbers { get; }

    /// <summary>Gets the units of measure the text names: dimension in the high 32 bits, unit in the low 32 bits.</summary>
    public ulong[] Units { get; }

    /// <summary>Gets one bit per dimension (time, length, money...) that <see cref="Units"/> covers.</summary>
    public long UnitDimensions { get; }

    /// <summary>Gets each number bound to a word (<see cref="GroundednessScorer.Binding"/>).</summary>
    public ulong[] Bindings { get; }

    /// <summary>Gets the words some number is bound to.</summary>
    public ulong[] BoundWords { get; }
}
