namespace LlmOps.Vectors;

/// <summary>Symmetric per-row int8 quantisation: code = round(x / scale), scale = max|x| / 127.</summary>
internal static class Int8Quantizer
{
    public static float Quantize(ReadOnlySpan<float> source, Span<sbyte> codes)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(source);
        max = MathF.Abs(max);
        if (max == 0f)
        {
            codes.Clear();
            return 0f;
        }

        float inv = 127f / max;
        for (int i = 0; i < source.Length; i++)
        {
            codes[i] = (sbyte)Math.Clamp(MathF.Round(source[i] * inv), -127f, 127f);
        }

        return max / 127f;
    }
}
