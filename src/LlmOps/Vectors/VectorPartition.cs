namespace LlmOps.Vectors;

/// <summary>The rows of one scope: a contiguous row-major store plus keys; a null key is a tombstone.</summary>
internal sealed class VectorPartition
{
    public VectorPartition(string? scope, int dimensions, bool quantized)
    {
        Scope = scope;
        Dimensions = dimensions;
        Data = [];
        Keys = [];
        if (quantized)
        {
            Codes = [];
            Scales = [];
        }
    }

    public string? Scope { get; }

    /// <summary>This partition's position in the owning index's partition array; -1 once it has been freed.</summary>
    public int Index { get; set; }

    public int Dimensions { get; }

    /// <summary>Row-major normalised float32 rows; capacity is Keys.Length rows.</summary>
    public float[] Data { get; private set; }

    /// <summary>Row keys; null marks a removed row (tombstone).</summary>
    public string?[] Keys { get; private set; }

    /// <summary>int8 codes of each row when the owning index is quantised, stored biased as <c>code + 128</c> (see <see cref="Int8Kernels"/>).</summary>
    public byte[]? Codes { get; private set; }

    /// <summary>Per-row dequantisation scale when the owning index is quantised.</summary>
    public float[]? Scales { get; private set; }

    /// <summary>Rows in use, including tombstones.</summary>
    public int RowCount { get; set; }

    public int LiveCount { get; set; }

    public int Tombstones => RowCount - LiveCount;

    public Span<float> Row(int row) => Data.AsSpan(row * Dimensions, Dimensions);

    public int Append(string key, ReadOnlySpan<float> normalized)
    {
        if (RowCount == Keys.Length)
        {
            Grow();
        }

        int row = RowCount++;
        Write(row, key, normalized);
        LiveCount++;
        return row;
    }

    public void Write(int row, string key, ReadOnlySpan<float> normalized)
    {
        normalized.CopyTo(Row(row));
        Keys[row] = key;
        if (Codes is not null)
        {
            Scales![row] = Int8Quantizer.QuantizeBiased(normalized, Codes.AsSpan(row * Dimensions, Dimensions));
        }
    }

    public void Tombstone(int row)
    {
        Keys[row] = null;
        LiveCount--;
    }

    /// <summary>Moves live rows down over tombstones; reports each moved key's new row.</summary>
    public void Compact(Action<string, int> moved)
    {
        int write = 0;
        int d = Dimensions;
        for (int read = 0; read < RowCount; read++)
        {
            string? key = Keys[read];
            if (key is null)
            {
                continue;
            }

            if (read != write)
            {
                Array.Copy(Data, read * d, Data, write * d, d);
                Keys[write] = key;
                if (Codes is not null)
                {
                    Array.Copy(Codes, read * d, Codes, write * d, d);
                    Scales![write] = Scales[read];
                }

                moved(key, write);
            }

            write++;
        }

        Array.Clear(Keys, write, RowCount - write);
        RowCount = write;

        // A scope that shrank a lot (an LRU cache after eviction, say) gives the memory back.
        if (Keys.Length >= 64 && RowCount * 4 <= Keys.Length)
        {
            Resize(Math.Max(16, RowCount * 2));
        }
    }

    private void Grow()
    {
        // Start at one row: an index with many small scopes (one per tenant or cache partition) stays small.
        int capacity = Math.Max(1, Keys.Length * 2);
        if ((long)capacity * Dimensions > Array.MaxLength)
        {
            capacity = Array.MaxLength / Dimensions;
            if (capacity <= Keys.Length)
            {
                throw new InvalidOperationException($"The partition cannot hold more than {Keys.Length} vectors of dimension {Dimensions}. Split the data across scopes or indexes.");
            }
        }

        Resize(capacity);
    }

    private void Resize(int capacity)
    {
        float[] data = new float[(long)capacity * Dimensions];
        Array.Copy(Data, data, (long)RowCount * Dimensions);
        string?[] keys = new string?[capacity];
        Array.Copy(Keys, keys, RowCount);
        if (Codes is not null)
        {
            byte[] codes = new byte[(long)capacity * Dimensions];
            Array.Copy(Codes, codes, (long)RowCount * Dimensions);
            float[] scales = new float[capacity];
            Array.Copy(Scales!, scales, RowCount);
            Codes = codes;
            Scales = scales;
        }

        Data = data;
        Keys = keys;
    }
}
