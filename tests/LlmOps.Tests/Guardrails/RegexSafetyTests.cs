using System.Reflection;
using System.Text.RegularExpressions;
using LlmOps.Guardrails;

namespace LlmOps.Tests.Guardrails;

/// <summary>Every regex in the LlmOps assembly must be linear-time (NonBacktracking) or have a finite match timeout.</summary>
public sealed class RegexSafetyTests
{
    private const BindingFlags All = BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    [Fact]
    public void LlmOpsAssembly_EveryStaticRegex_IsNonBacktrackingOrHasTimeout()
    {
        var offenders = new List<string>();
        var checkedCount = 0;
        foreach (var type in typeof(GuardrailsChatClient).Assembly.GetTypes())
        {
            if (type.ContainsGenericParameters)
            {
                continue;
            }

            foreach (var field in type.GetFields(All))
            {
                if (!field.IsStatic)
                {
                    continue;
                }

                foreach (var regex in RegexesIn(field.GetValue(null)))
                {
                    checkedCount++;
                    if (!IsSafe(regex))
                    {
                        offenders.Add($"{type.FullName}.{field.Name}: /{regex}/ options {regex.Options}, timeout {regex.MatchTimeout}");
                    }
                }
            }

            foreach (var property in type.GetProperties(All))
            {
                if (property.GetMethod is { IsStatic: true } getter && getter.GetParameters().Length == 0)
                {
                    foreach (var regex in RegexesIn(property.GetValue(null)))
                    {
                        checkedCount++;
                        if (!IsSafe(regex))
                        {
                            offenders.Add($"{type.FullName}.{property.Name}: options {regex.Options}");
                        }
                    }
                }
            }

            foreach (var method in type.GetMethods(All))
            {
                if (method.GetCustomAttribute<GeneratedRegexAttribute>() is { } generated
                    && (generated.Options & RegexOptions.NonBacktracking) == 0 && generated.MatchTimeoutMilliseconds <= 0)
                {
                    offenders.Add($"{type.FullName}.{method.Name}: [GeneratedRegex] without NonBacktracking or a timeout");
                }
            }
        }

        Assert.True(checkedCount >= 20, $"expected to find the guardrail regexes; found {checkedCount}");
        Assert.True(offenders.Count == 0, "Regexes without NonBacktracking or a timeout:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void LlmOpsAssembly_InstanceRegexFields_AreSafeOnConstructedScanners()
    {
        var banned = new LlmOps.Guardrails.Scanners.BannedContentGuardrail(["x"], ["a+b", "(c|d)*e"]);
        var offenders = new List<string>();
        foreach (var field in banned.GetType().GetFields(All))
        {
            foreach (var regex in RegexesIn(field.GetValue(banned)))
            {
                if (!IsSafe(regex))
                {
                    offenders.Add(field.Name);
                }
            }
        }

        Assert.Empty(offenders);
    }

    [Fact]
    public void Checker_UnsafeRegex_IsReported()
    {
        Assert.False(IsSafe(new Regex("(a+)+b")));
        Assert.True(IsSafe(new Regex("(a+)+b", RegexOptions.None, TimeSpan.FromSeconds(1))));
        Assert.True(IsSafe(new Regex("(a+)+b", RegexOptions.NonBacktracking)));
        Assert.Single(RegexesIn(new (string, double, Regex)[] { ("x", 1, new Regex("x")) }));
    }

    private static bool IsSafe(Regex regex)
        => (regex.Options & RegexOptions.NonBacktracking) != 0 || regex.MatchTimeout != Regex.InfiniteMatchTimeout;

    /// <summary>Finds regexes in a value: a Regex, or arrays/tuples/collections holding them.</summary>
    private static IEnumerable<Regex> RegexesIn(object? value)
    {
        switch (value)
        {
            case null:
                yield break;
            case Regex regex:
                yield return regex;
                yield break;
            case string:
                yield break;
            case System.Runtime.CompilerServices.ITuple tuple:
                for (var i = 0; i < tuple.Length; i++)
                {
                    foreach (var r in RegexesIn(tuple[i]))
                    {
                        yield return r;
                    }
                }

                yield break;
            case System.Collections.IEnumerable items:
                foreach (var item in items)
                {
                    foreach (var r in RegexesIn(item))
                    {
                        yield return r;
                    }
                }

                yield break;
        }
    }
}
