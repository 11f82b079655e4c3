using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace LlmOps.Caching;

/// <summary>
/// Writes the numbers, amounts, times and units of a question in one canonical form before the false-hit guards and the
/// pair check read it, so that equal values written differently compare equal and different values still differ:
/// "10k", "10,000", "10 000", "ten thousand" and "10 thousand" are all <c>10000</c>; "$10", "10 dollars" and "USD 10"
/// are all <c>10_dollar</c>; "5pm", "5 p.m." and "17:00" are all <c>17:00</c>; "20%", "20 per cent" and "20 pct" are all
/// <c>20_percent</c>; "5kg" and "5 kilograms" are both <c>5_kilogram</c> (see <see cref="UnitJoiner"/>).
/// </summary>
/// <remarks>
/// <para>
/// Conservative by design: a lower-case "m" after a number is metres, not millions (except after a currency sign:
/// "$1.5m"); a decimal number keeps its digits ("Python 3.10" is not "3.1"); a time without "am"/"pm" keeps its hour
/// ("5:30" is not "17:30"); "pound" is both the currency and the weight. Quoted strings are the caller's: the quoted-strings
/// guard reads the original text.
/// </para>
/// <para>Thread-safe and allocation-free when the text holds no digit, currency sign, unit abbreviation or number word.</para>
/// </remarks>
internal static class CacheNumberText
{
    /// <summary>
    /// Joins a value and its unit in the canonical text ("10000_dollar"): the pair check's tokenizer reads two words, and
    /// the numbers guard one value with its unit, so "5 kg" and "5 lb" are different numbers.
    /// </summary>
    public const char UnitJoiner = '_';

    private static readonly FrozenDictionary<string, long> NumberWords = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["zero"] = 0, ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7, ["eight"] = 8,
        ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["thirteen"] = 13, ["fourteen"] = 14, ["fifteen"] = 15,
        ["sixteen"] = 16, ["seventeen"] = 17, ["eighteen"] = 18, ["nineteen"] = 19, ["twenty"] = 20, ["thirty"] = 30, ["forty"] = 40,
        ["fifty"] = 50, ["sixty"] = 60, ["seventy"] = 70, ["eighty"] = 80, ["ninety"] = 90,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, long> Scales = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["hundred"] = 100, ["thousand"] = 1_000, ["million"] = 1_000_000, ["billion"] = 1_000_000_000,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<char, string> CurrencySigns = new Dictionary<char, string>
    {
        ['$'] = "dollar", ['\u20AC'] = "euro", ['\u00A3'] = "pound", ['\u00A5'] = "yen", ['\u20B9'] = "rupee",
    }.ToFrozenDictionary();

    // Unit words read the same anywhere: unambiguous abbreviations and currency codes and names.
    private static readonly FrozenDictionary<string, string> Units = BuildUnits(standalone: true);

    // Unit words read as units only right after a number ("5 m", "5 in", "10 s").
    private static readonly FrozenDictionary<string, string> UnitsAfterNumbers = BuildUnits(standalone: false);

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> UnitLookup = Units.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> UnitAfterNumberLookup = UnitsAfterNumbers.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenDictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> NumberWordLookup = NumberWords.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenDictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> ScaleLookup = Scales.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The canonical form of <paramref name="text"/>; the same instance when nothing in it needs rewriting.</summary>
    /// <param name="text">A question.</param>
    /// <returns>The question with its numbers, amounts, times and units written canonically.</returns>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!NeedsRewrite(text))
        {
            return text;
        }

        var tokens = Split(text);
        var output = new StringBuilder(text.Length + 16);
        var t = 0;
        while (t < tokens.Count)
        {
            var token = tokens[t];
            var consumed = TryQuantity(text, tokens, t, output);
            if (consumed > 0)
            {
                t += consumed;
                continue;
            }

            var span = text.AsSpan(token.Start, token.Length);
            if (token.Kind == TokenKind.Symbol && text[token.Start] == '\u00B0' && t + 1 < tokens.Count && tokens[t + 1].Kind == TokenKind.Word
                && tokens[t + 1].Length == 1 && text[tokens[t + 1].Start] is 'C' or 'c' or 'F' or 'f')
            {
                // "in °C": the scale alone.
                output.Append(text[tokens[t + 1].Start] is 'C' or 'c' ? "celsius" : "fahrenheit");
                t += 2;
                continue;
            }

            if (token.Kind == TokenKind.Word && UnitLookup.TryGetValue(span, out var unit) && (!IsAllUpper(span) || IsCurrencyCode(span, out _)))
            {
                output.Append(unit);
            }
            else if (token.Kind == TokenKind.Word && span.Equals("noon", StringComparison.OrdinalIgnoreCase))
            {
                output.Append("12:00");
            }
            else if (token.Kind == TokenKind.Word && span.Equals("midnight", StringComparison.OrdinalIgnoreCase))
            {
                output.Append("0:00");
            }
            else
            {
                output.Append(span);
            }

            t++;
        }

        var result = output.ToString();
        return result == text ? text : result;
    }

    /// <summary>Whether anything in the text may need rewriting: a digit, a currency sign, or a word of the tables.</summary>
    private static bool NeedsRewrite(string text)
    {
        var span = text.AsSpan();
        var i = 0;
        while (i < span.Length)
        {
            var c = span[i];
            if (char.IsDigit(c) || CurrencySigns.ContainsKey(c))
            {
                return true;
            }

            if (!char.IsLetter(c))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < span.Length && char.IsLetter(span[i]))
            {
                i++;
            }

            var word = span[start..i];
            if (NumberWordLookup.ContainsKey(word) || ScaleLookup.ContainsKey(word) || UnitLookup.ContainsKey(word)
                || word.Equals("noon", StringComparison.OrdinalIgnoreCase) || word.Equals("midnight", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An acronym ("TB", "ML", "GB") is a name unless it is a currency code; a unit abbreviation is lower case.</summary>
    private static bool IsAllUpper(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (!char.IsUpper(c))
            {
                return false;
            }
        }

        return word.Length > 1;
    }

    /// <summary>
    /// Reads a quantity at token <paramref name="t"/> (a currency sign or code, then a number in digits or words, a scale,
    /// then an optional time marker or unit) and writes its canonical form; returns how many tokens it used (0 for none).
    /// </summary>
    private static int TryQuantity(string text, List<Token> tokens, int t, StringBuilder output)
    {
        var k = t;
        string? currency = null;
        if (tokens[k].Kind == TokenKind.Symbol && CurrencySigns.TryGetValue(text[tokens[k].Start], out var sign))
        {
            currency = sign;
            k = SkipSpace(text, tokens, k + 1, allowNone: true);
        }
        else if (tokens[k].Kind == TokenKind.Word && IsCurrencyCode(text.AsSpan(tokens[k].Start, tokens[k].Length), out var code)
            && SkipSpace(text, tokens, k + 1, allowNone: false) is var next && next < tokens.Count && tokens[next].Kind == TokenKind.Number)
        {
            currency = code;
            k = next;
        }

        if (k >= tokens.Count)
        {
            return 0;
        }

        int end;
        string value;
        if (tokens[k].Kind == TokenKind.Number)
        {
            if (!TryDigits(text, tokens, k, currency is not null, out value, out end, out var glued, out var isTime))
            {
                return 0;
            }

            if (isTime)
            {
                output.Append(value);
                return end - t;
            }

            if (glued is not null)
            {
                // "5kg", "10GB", "5pm": a unit or a time marker written onto the number.
                if (TryTimeMarker(glued, value, out var time))
                {
                    output.Append(time);
                    return end - t;
                }

                if (currency is null && UnitAfterNumberLookup.TryGetValue(glued, out var gluedUnit))
                {
                    output.Append(value).Append(UnitJoiner).Append(gluedUnit);
                    return end - t;
                }

                return 0;
            }
        }
        else if (tokens[k].Kind == TokenKind.Word && TryNumberWords(text, tokens, k, out var words, out end))
        {
            value = words.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            return 0;
        }

        // A scale word after digits: "10 thousand", "1.5 million".
        var s = SkipSpace(text, tokens, end, allowNone: false);
        if (s < tokens.Count && tokens[s].Kind == TokenKind.Word && ScaleLookup.TryGetValue(text.AsSpan(tokens[s].Start, tokens[s].Length), out var scale)
            && decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            value = Format(number * scale);
            end = s + 1;
        }

        // A time marker after the number: "5 pm", "5 p.m.".
        if (currency is null && TryTimeAfter(text, tokens, end, value, out var clock, out var timeEnd))
        {
            output.Append(clock);
            return timeEnd - t;
        }

        // A unit after the number: "10 dollars", "20%", "5 kilograms", "350 °F", "20 per cent".
        if (currency is null && TryUnitAfter(text, tokens, end, out var after, out var unitEnd))
        {
            currency = after;
            end = unitEnd;
        }

        if (currency is not null && value.EndsWith(".00", StringComparison.Ordinal))
        {
            value = value[..^3];
        }

        if (currency is null && value == text.Substring(tokens[t].Start, tokens[end - 1].Start + tokens[end - 1].Length - tokens[t].Start))
        {
            return 0;
        }

        output.Append(value);
        if (currency is not null)
        {
            output.Append(UnitJoiner).Append(currency);
        }

        return end - t;
    }

    /// <summary>Reads digits (with "," or space thousands groups, a decimal point, a glued scale such as "k" or "bn").</summary>
    private static bool TryDigits(string text, List<Token> tokens, int k, bool afterCurrency, out string value, out int end, out string? glued, out bool isTime)
    {
        var span = text.AsSpan(tokens[k].Start, tokens[k].Length);
        glued = null;
        isTime = false;
        end = k + 1;
        var digitsEnd = 0;
        while (digitsEnd < span.Length && (char.IsDigit(span[digitsEnd]) || span[digitsEnd] is ',' or '.' or ':'))
        {
            digitsEnd++;
        }

        var digits = span[..digitsEnd];
        var suffix = span[digitsEnd..];
        if (digits.Contains(':'))
        {
            // A clock time: "17:00", "5:30pm", "5:30 p.m.".
            var colon = digits.IndexOf(':');
            if (colon is < 1 or > 2 || digits.Length - colon != 3 || !int.TryParse(digits[..colon], CultureInfo.InvariantCulture, out var hour)
                || !int.TryParse(digits[(colon + 1)..], CultureInfo.InvariantCulture, out var minute) || hour > 23 || minute > 59)
            {
                value = digits.ToString();
                return false;
            }

            var marker = suffix.Length > 0 ? suffix.ToString() : null;
            if (marker is null && TryTimeMarkerAfter(text, tokens, end, out var markerEnd, out var afterMarker))
            {
                marker = afterMarker;
                end = markerEnd;
            }

            if (marker is not null)
            {
                if (!TryTwelveHour(hour, marker, out hour))
                {
                    value = digits.ToString();
                    return false;
                }
            }

            value = string.Create(CultureInfo.InvariantCulture, $"{hour}:{minute:00}");
            isTime = true;
            return true;
        }

        var plain = digits.ToString().Replace(",", string.Empty, StringComparison.Ordinal);
        if (plain.Length == 0 || !char.IsDigit(plain[^1]) || plain.IndexOf('.', StringComparison.Ordinal) != plain.LastIndexOf('.'))
        {
            value = plain;
            return false;
        }

        // Thousands groups after a space: "10 000", "1 000 000".
        if (suffix.Length == 0 && !digits.ContainsAny(',', '.') && digits.Length <= 3)
        {
            while (end + 1 < tokens.Count && tokens[end].Kind == TokenKind.Space && tokens[end].Length == 1
                && tokens[end + 1].Kind == TokenKind.Number && tokens[end + 1].Length == 3 && IsAllDigits(text.AsSpan(tokens[end + 1].Start, 3)))
            {
                plain += text.Substring(tokens[end + 1].Start, 3);
                end += 2;
            }
        }

        value = plain;
        if (suffix.Length == 0)
        {
            return true;
        }

        // A scale written onto the number: "10k", "2bn", "1.5M", "$2m".
        long scale = suffix switch
        {
            "k" or "K" => 1_000,
            "M" or "mn" or "MM" => 1_000_000,
            "m" when afterCurrency => 1_000_000,
            "bn" or "B" => 1_000_000_000,
            _ => 0,
        };
        if (scale > 0 && decimal.TryParse(plain, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            value = Format(number * scale);
            return true;
        }

        if (suffix.Equals("st", StringComparison.OrdinalIgnoreCase) || suffix.Equals("nd", StringComparison.OrdinalIgnoreCase)
            || suffix.Equals("rd", StringComparison.OrdinalIgnoreCase) || suffix.Equals("th", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        glued = suffix.ToString();
        return true;
    }

    /// <summary>Reads a run of number words ("twenty five", "two hundred and fifty", "a thousand", "ten thousand").</summary>
    private static bool TryNumberWords(string text, List<Token> tokens, int k, out long value, out int end)
    {
        value = 0;
        end = k;
        long total = 0;
        long current = 0;
        var any = false;
        var i = k;
        var first = text.AsSpan(tokens[k].Start, tokens[k].Length);
        if ((first.Equals("a", StringComparison.OrdinalIgnoreCase) || first.Equals("an", StringComparison.OrdinalIgnoreCase))
            && SkipSpace(text, tokens, k + 1, allowNone: false) is var afterArticle && afterArticle < tokens.Count
            && tokens[afterArticle].Kind == TokenKind.Word && ScaleLookup.ContainsKey(text.AsSpan(tokens[afterArticle].Start, tokens[afterArticle].Length)))
        {
            current = 1;
            i = afterArticle;
        }

        while (i < tokens.Count && tokens[i].Kind == TokenKind.Word)
        {
            var word = text.AsSpan(tokens[i].Start, tokens[i].Length);
            if (NumberWordLookup.TryGetValue(word, out var n))
            {
                current += n;
            }
            else if (ScaleLookup.TryGetValue(word, out var scale))
            {
                if (scale == 100)
                {
                    current = (current == 0 ? 1 : current) * 100;
                }
                else
                {
                    total += (current == 0 ? 1 : current) * scale;
                    current = 0;
                }
            }
            else if (any && word.Equals("and", StringComparison.OrdinalIgnoreCase)
                && SkipSpace(text, tokens, i + 1, allowNone: false) is var afterAnd && afterAnd < tokens.Count && tokens[afterAnd].Kind == TokenKind.Word
                && NumberWordLookup.ContainsKey(text.AsSpan(tokens[afterAnd].Start, tokens[afterAnd].Length)))
            {
                i = afterAnd;
                continue;
            }
            else
            {
                break;
            }

            any = true;
            end = i + 1;
            var next = i + 1;
            if (next < tokens.Count && (tokens[next].Kind == TokenKind.Space || (tokens[next].Kind == TokenKind.Other && text[tokens[next].Start] == '-' && tokens[next].Length == 1)))
            {
                next++;
            }

            i = next;
        }

        value = total + current;
        return any;
    }

    /// <summary>"pm"/"am" written onto a number ("5pm"), read as a 24-hour time.</summary>
    private static bool TryTimeMarker(string marker, string value, out string time)
    {
        time = string.Empty;
        if (!int.TryParse(value, CultureInfo.InvariantCulture, out var hour) || !TryTwelveHour(hour, marker, out var h))
        {
            return false;
        }

        time = string.Create(CultureInfo.InvariantCulture, $"{h}:00");
        return true;
    }

    /// <summary>"5 pm", "5 p.m.", "5 PM" after a whole number from 1 to 12.</summary>
    private static bool TryTimeAfter(string text, List<Token> tokens, int k, string value, out string time, out int end)
    {
        time = string.Empty;
        end = k;
        if (!int.TryParse(value, CultureInfo.InvariantCulture, out var hour) || hour is < 1 or > 12
            || !TryTimeMarkerAfter(text, tokens, k, out end, out var marker) || !TryTwelveHour(hour, marker, out var h))
        {
            return false;
        }

        time = string.Create(CultureInfo.InvariantCulture, $"{h}:00");
        return true;
    }

    /// <summary>Reads "am", "pm", "a.m." or "p.m." after an optional space.</summary>
    private static bool TryTimeMarkerAfter(string text, List<Token> tokens, int k, out int end, out string marker)
    {
        end = k;
        marker = string.Empty;
        var i = SkipSpace(text, tokens, k, allowNone: true);
        if (i >= tokens.Count || tokens[i].Kind != TokenKind.Word)
        {
            return false;
        }

        var word = text.AsSpan(tokens[i].Start, tokens[i].Length);
        if (word.Equals("am", StringComparison.OrdinalIgnoreCase) || word.Equals("pm", StringComparison.OrdinalIgnoreCase))
        {
            marker = word.ToString();
            end = i + 1;
            return true;
        }

        // "p.m." splits into p . m .
        if ((word.Equals("a", StringComparison.OrdinalIgnoreCase) || word.Equals("p", StringComparison.OrdinalIgnoreCase))
            && i + 2 < tokens.Count && tokens[i + 1].Kind == TokenKind.Other && text[tokens[i + 1].Start] == '.' && tokens[i + 1].Length == 1
            && tokens[i + 2].Kind == TokenKind.Word && text.AsSpan(tokens[i + 2].Start, tokens[i + 2].Length).Equals("m", StringComparison.OrdinalIgnoreCase))
        {
            marker = word.ToString() + "m";
            end = i + 3;
            if (end < tokens.Count && tokens[end].Kind == TokenKind.Other && text[tokens[end].Start] == '.' && tokens[end].Length == 1
                && (end + 1 >= tokens.Count || tokens[end + 1].Kind == TokenKind.Space))
            {
                end++;
            }

            return true;
        }

        return false;
    }

    private static bool TryTwelveHour(int hour, string marker, out int hour24)
    {
        hour24 = hour;
        if (hour is < 1 or > 12)
        {
            return false;
        }

        if (marker.Equals("am", StringComparison.OrdinalIgnoreCase))
        {
            hour24 = hour == 12 ? 0 : hour;
            return true;
        }

        if (marker.Equals("pm", StringComparison.OrdinalIgnoreCase))
        {
            hour24 = hour == 12 ? 12 : hour + 12;
            return true;
        }

        return false;
    }

    /// <summary>Reads a unit after a number: "%", "°F", "° C", "degrees Fahrenheit", "per cent", "US dollars", or a unit word.</summary>
    private static bool TryUnitAfter(string text, List<Token> tokens, int k, out string unit, out int end)
    {
        unit = string.Empty;
        end = k;
        var i = SkipSpace(text, tokens, k, allowNone: true);
        if (i == k && i + 1 < tokens.Count && tokens[i].Kind == TokenKind.Other && tokens[i].Length == 1 && text[tokens[i].Start] == '-' && tokens[i + 1].Kind == TokenKind.Word)
        {
            // "a 40-year-old", "a 5-minute walk".
            i++;
        }

        if (i >= tokens.Count)
        {
            return false;
        }

        if (tokens[i].Kind == TokenKind.Symbol && text[tokens[i].Start] == '%')
        {
            unit = "percent";
            end = i + 1;
            return true;
        }

        var degree = tokens[i].Kind == TokenKind.Symbol && text[tokens[i].Start] == '\u00B0';
        var word = tokens[i].Kind == TokenKind.Word ? text.AsSpan(tokens[i].Start, tokens[i].Length) : default;
        if (degree || word.Equals("degrees", StringComparison.OrdinalIgnoreCase) || word.Equals("degree", StringComparison.OrdinalIgnoreCase))
        {
            var j = SkipSpace(text, tokens, i + 1, allowNone: true);
            var scale = j < tokens.Count && tokens[j].Kind == TokenKind.Word ? text.AsSpan(tokens[j].Start, tokens[j].Length) : default;
            if (scale.Equals("f", StringComparison.OrdinalIgnoreCase) || scale.Equals("fahrenheit", StringComparison.OrdinalIgnoreCase))
            {
                unit = "fahrenheit";
                end = j + 1;
                return true;
            }

            if (scale.Equals("c", StringComparison.OrdinalIgnoreCase) || scale.Equals("celsius", StringComparison.OrdinalIgnoreCase) || scale.Equals("centigrade", StringComparison.OrdinalIgnoreCase))
            {
                unit = "celsius";
                end = j + 1;
                return true;
            }

            unit = "degree";
            end = i + 1;
            return true;
        }

        if (tokens[i].Kind != TokenKind.Word)
        {
            return false;
        }

        if (word.Equals("per", StringComparison.OrdinalIgnoreCase) && SkipSpace(text, tokens, i + 1, allowNone: false) is var c && c < tokens.Count
            && text.AsSpan(tokens[c].Start, tokens[c].Length).Equals("cent", StringComparison.OrdinalIgnoreCase))
        {
            unit = "percent";
            end = c + 1;
            return true;
        }

        if (word.Equals("US", StringComparison.Ordinal) && SkipSpace(text, tokens, i + 1, allowNone: false) is var d && d < tokens.Count
            && UnitAfterNumberLookup.TryGetValue(text.AsSpan(tokens[d].Start, tokens[d].Length), out var usUnit) && usUnit == "dollar")
        {
            unit = "dollar";
            end = d + 1;
            return true;
        }

        if (UnitAfterNumberLookup.TryGetValue(word, out var found))
        {
            unit = found;
            end = i + 1;
            return true;
        }

        return false;
    }

    private static bool IsCurrencyCode(ReadOnlySpan<char> word, out string currency)
    {
        currency = string.Empty;
        if (word.Length == 3 && UnitLookup.TryGetValue(word, out var unit) && unit is "dollar" or "euro" or "pound" or "yen" or "rupee" or "franc" or "yuan")
        {
            currency = unit;
            return true;
        }

        return false;
    }

    private static int SkipSpace(string text, List<Token> tokens, int k, bool allowNone)
    {
        if (k < tokens.Count && tokens[k].Kind == TokenKind.Space && tokens[k].Length == 1)
        {
            return k + 1;
        }

        return allowNone ? k : (k < tokens.Count && tokens[k].Kind == TokenKind.Space ? k + 1 : tokens.Count);
    }

    private static bool IsAllDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Format(decimal value) => value.ToString("0.##########", CultureInfo.InvariantCulture);

    /// <summary>Splits text into words (letters), numbers (a digit first, then digits, letters and inner . , :), symbols, spaces and other runs.</summary>
    private static List<Token> Split(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            var c = text[i];
            TokenKind kind;
            if (char.IsDigit(c))
            {
                kind = TokenKind.Number;
                i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i])
                    || (text[i] is ',' or '.' or ':' && i + 1 < text.Length && char.IsDigit(text[i - 1]) && char.IsDigit(text[i + 1]))))
                {
                    i++;
                }
            }
            else if (char.IsLetter(c))
            {
                kind = TokenKind.Word;
                while (i < text.Length && char.IsLetter(text[i]))
                {
                    i++;
                }

                // A word with digits in it ("x86", "W2", "mp3") is copied as it is.
                if (i < text.Length && char.IsDigit(text[i]))
                {
                    kind = TokenKind.Other;
                    while (i < text.Length && char.IsLetterOrDigit(text[i]))
                    {
                        i++;
                    }
                }
            }
            else if (c is ' ' or '\u00A0' or '\u2009' or '\u202F')
            {
                kind = TokenKind.Space;
                while (i < text.Length && text[i] is ' ' or '\u00A0' or '\u2009' or '\u202F')
                {
                    i++;
                }
            }
            else if (c is '%' or '\u00B0' || CurrencySigns.ContainsKey(c))
            {
                kind = TokenKind.Symbol;
                i++;
            }
            else
            {
                kind = TokenKind.Other;
                i++;
            }

            tokens.Add(new Token(kind, start, i - start));
        }

        return tokens;
    }

    private static FrozenDictionary<string, string> BuildUnits(bool standalone)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string canonical, string words)
        {
            foreach (var w in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                map[w] = canonical;
            }
        }

        // Unambiguous anywhere: currency codes and names, and unit abbreviations that are no English word.
        Add("dollar", "usd dollar dollars");
        Add("euro", "eur euro euros");
        Add("pound", "gbp");
        Add("yen", "jpy");
        Add("rupee", "inr rupee rupees");
        Add("franc", "chf franc francs");
        Add("yuan", "cny rmb yuan");
        Add("kilogram", "kg kgs kilogram kilograms kilogramme kilogrammes");
        Add("kilometer", "km kms kilometer kilometers kilometre kilometres");
        Add("centimeter", "cm centimeter centimeters centimetre centimetres");
        Add("millimeter", "mm millimeter millimeters millimetre millimetres");
        Add("milliliter", "ml milliliter milliliters millilitre millilitres");
        Add("pound", "lb lbs");
        Add("ounce", "oz ounce ounces");
        Add("tablespoon", "tbsp tbsps tablespoon tablespoons");
        Add("teaspoon", "tsp tsps teaspoon teaspoons");
        Add("kilobyte", "kb kilobyte kilobytes");
        Add("megabyte", "mb megabyte megabytes");
        Add("gigabyte", "gb gigabyte gigabytes");
        Add("terabyte", "tb terabyte terabytes");
        Add("fahrenheit", "fahrenheit");
        Add("celsius", "celsius centigrade");
        Add("percent", "percent pct");
        Add("mph", "mph");
        Add("minute", "mins");
        Add("hour", "hrs");
        Add("second", "secs");
        if (!standalone)
        {
            // Only right after a number: these are also words or letters.
            Add("pound", "pound pounds");
            Add("gram", "g gram grams gramme grammes");
            Add("meter", "m meter meters metre metres");
            Add("mile", "mi mile miles");
            Add("foot", "ft foot feet");
            Add("inch", "inch inches");
            Add("liter", "l liter liters litre litres");
            Add("gallon", "gal gallon gallons");
            Add("cup", "cup cups");
            Add("minute", "min minute minutes");
            Add("hour", "h hr hour hours");
            Add("second", "s sec second seconds");
            Add("day", "day days");
            Add("week", "wk wks week weeks");
            Add("month", "mo month months");
            Add("year", "yr yrs year years");
            Add("dollar", "bucks");
        }

        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private enum TokenKind
    {
        Word,
        Number,
        Symbol,
        Space,
        Other,
    }

    private readonly record struct Token(TokenKind Kind, int Start, int Length);
}
