using System.Runtime.InteropServices;

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

    /// <summary>Quantises a row for storage: the codes of <see cref="Quantize"/>, biased to unsigned bytes (see <see cref="Int8Kernels"/>).</summary>
    public static float QuantizeBiased(ReadOnlySpan<float> source, Span<byte> biased)
    {
        Span<sbyte> codes = MemoryMarshal.Cast<byte, sbyte>(biased);
        float scale = Quantize(source, codes);
        Int8Kernels.BiasCodes(codes, biased);
        return scale;
    }
}
