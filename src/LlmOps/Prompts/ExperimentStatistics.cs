namespace LlmOps.Prompts;

/// <summary>The distributions and tests behind <see cref="PromptExperiment.GetResults"/>; no statistics package needed.</summary>
internal static class ExperimentStatistics
{
    /// <summary>Standard normal CDF via erfc (Chebyshev fit, fractional error below 1.2e-7).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>Inverse of <see cref="NormalCdf"/> by bisection (the CDF is monotone; 100 halvings reach double precision).</summary>
    public static double NormalQuantile(double p) => Invert(NormalCdf, p, -40, 40);

    /// <summary>Student t CDF: for t ≥ 0, 1 − ½·I_{ν/(ν+t²)}(ν/2, ½).</summary>
    public static double StudentTCdf(double t, double df)
    {
        var x = df / (df + t * t);
        var tail = 0.5 * RegularizedBeta(x, df / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    public static double StudentTQuantile(double p, double df) => Invert(t => StudentTCdf(t, df), p, -1e4, 1e4);

    /// <summary>Two-sided p-value of a t statistic.</summary>
    public static double StudentTTwoSided(double t, double df) => RegularizedBeta(df / (df + t * t), df / 2, 0.5);

    private static double Invert(Func<double, double> cdf, double p, double lo, double hi)
    {
        for (var i = 0; i < 200 && hi - lo > 1e-12; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (cdf(mid) < p) lo = mid; else hi = mid;
        }

        return 0.5 * (lo + hi);
    }

    /// <summary>I_x(a, b) by the Lentz continued fraction (the standard expansion for the incomplete beta function).</summary>
    public static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaFraction(x, a, b) / a
            : 1 - front * BetaFraction(1 - x, b, a) / b;
    }

    private static double BetaFraction(double x, double a, double b)
    {
        const double Tiny = 1e-300;
        var c = 1.0;
        var d = 1 - (a + b) * x / (a + 1);
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 500; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + aa * d; d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + aa / c; c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + aa * d; d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + aa / c; c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15) break;
        }

        return h;
    }

    /// <summary>ln Γ(x) by the Lanczos approximation (g = 7, 9 terms).</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = g[0];
        for (var i = 1; i < 9; i++) sum += g[i] / (x + i);
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>Two-proportion z-test with the pooled proportion; statistic is (p2 − p1).</summary>
    public static (double Z, double P) TwoProportionZ(long s1, long n1, long s2, long n2)
    {
        double p1 = (double)s1 / n1, p2 = (double)s2 / n2;
        var pooled = (double)(s1 + s2) / (n1 + n2);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        if (se == 0) return (0, 1);
        var z = (p2 - p1) / se;
        return (z, 2 * (1 - NormalCdf(Math.Abs(z))));
    }

    /// <summary>Welch's t-test; statistic is (mean2 − mean1).</summary>
    public static (double T, double Df, double P) Welch(double m1, double v1, long n1, double m2, double v2, long n2)
    {
        double a = v1 / n1, b = v2 / n2;
        var se = Math.Sqrt(a + b);
        if (se == 0) return (0, n1 + n2 - 2, 1);
        var t = (m2 - m1) / se;
        var df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1));
        return (t, df, StudentTTwoSided(t, df));
    }
}
