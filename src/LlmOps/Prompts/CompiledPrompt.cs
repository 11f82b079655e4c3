using System.Buffers;
using System.Globalization;

namespace LlmOps.Prompts;

/// <summary>A template parsed once into literal and variable segments per message.</summary>
internal sealed class CompiledPrompt
{
    private readonly string _id;
    private readonly Segment[][] _messages;
    private readonly string[] _names;      // declared and referenced variables; index = slot
    private readonly bool[] _required;
    private readonly string?[] _defaults;
    private readonly Dictionary<string, int> _slots;

    private CompiledPrompt(string id, Segment[][] messages, string[] names, bool[] required, string?[] defaults, Dictionary<string, int> slots)
    {
        _id = id;
        _messages = messages;
        _names = names;
        _required = required;
        _defaults = defaults;
        _slots = slots;
    }

    public static CompiledPrompt Compile(PromptTemplate template)
    {
        var id = template.ToString();
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var required = new List<bool>();
        var defaults = new List<string?>();
        foreach (var v in template.Variables)
        {
            slots[v.Name] = names.Count;
            names.Add(v.Name);
            required.Add(v.Required && v.Default is null);
            defaults.Add(v.Default);
        }

        var messages = new Segment[template.Messages.Count][];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = Parse(id, i, template.Messages[i].Content, slots, names, required, defaults);
        }

        return new CompiledPrompt(id, messages, [.. names], [.. required], [.. defaults], slots);
    }

    private static Segment[] Parse(string id, int messageIndex, string text, Dictionary<string, int> slots, List<string> names, List<bool> required, List<string?> defaults)
    {
        var segments = new List<Segment>();
        var literal = new System.Text.StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '\\' && i + 2 < text.Length && text[i + 1] == '{' && text[i + 2] == '{')
            {
                literal.Append("{{");
                i += 3;
                continue;
            }

            if (text[i] == '{' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var close = text.IndexOf("}}", i + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new PromptRenderException($"Prompt {id}, message {messageIndex + 1}: '{{{{' at position {i} is never closed. Close it with '}}}}', or write '\\{{{{' for literal braces.") { Prompt = id };
                }

                var name = text.AsSpan(i + 2, close - i - 2).Trim().ToString();
                if (!IsValidName(name))
                {
                    throw new PromptRenderException($"Prompt {id}, message {messageIndex + 1}: '{{{{{name}}}}}' at position {i} is not a valid variable name (letters, digits, '_', '.', '-'). Write '\\{{{{' for literal braces.") { Prompt = id, VariableName = name };
                }

                if (literal.Length > 0)
                {
                    segments.Add(new Segment(literal.ToString(), -1));
                    literal.Clear();
                }

                if (!slots.TryGetValue(name, out var slot))
                {
                    // Referenced but not declared: an implicitly required variable.
                    slot = names.Count;
                    slots[name] = slot;
                    names.Add(name);
                    required.Add(true);
                    defaults.Add(null);
                }

                segments.Add(new Segment(null, slot));
                i = close + 2;
                continue;
            }

            literal.Append(text[i]);
            i++;
        }

        if (literal.Length > 0)
        {
            segments.Add(new Segment(literal.ToString(), -1));
        }

        return [.. segments];
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public string[] Render(IReadOnlyDictionary<string, object?>? variables, bool allowUnknown)
    {
        var values = ArrayPool<string?>.Shared.Rent(_names.Length);
        try
        {
            var matched = 0;
            for (var s = 0; s < _names.Length; s++)
            {
                object? value = null;
                if (variables is not null && variables.TryGetValue(_names[s], out value))
                {
                    matched++;
                }

                if (value is not null)
                {
                    values[s] = Format(value);
                }
                else if (_defaults[s] is { } d)
                {
                    values[s] = d;
                }
                else if (_required[s])
                {
                    throw new PromptRenderException($"Prompt {_id} needs variable '{_names[s]}', but no value was given. Pass it in the variables (for example options.WithPrompt(\"name\", new {{ {_names[s]} = ... }})) or declare a default.")
                    {
                        Prompt = _id,
                        VariableName = _names[s],
                    };
                }
                else
                {
                    values[s] = string.Empty;
                }
            }

            // Every given key matched a slot: nothing unknown, and no enumerator to allocate on the hot path.
            if (!allowUnknown && variables is not null && matched != variables.Count)
            {
                foreach (var key in variables.Keys)
                {
                    if (!_slots.ContainsKey(key))
                    {
                        throw new PromptRenderException($"Prompt {_id} has no variable '{key}'. Remove it from the variables, declare it in the template, or set AllowUnknownVariables.")
                        {
                            Prompt = _id,
                            VariableName = key,
                        };
                    }
                }
            }

            var result = new string[_messages.Length];
            for (var m = 0; m < _messages.Length; m++)
            {
                result[m] = Concat(_messages[m], values);
            }

            return result;
        }
        finally
        {
            Array.Clear(values, 0, _names.Length);
            ArrayPool<string?>.Shared.Return(values);
        }
    }

    private static string Format(object? value) => value switch
    {
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? string.Empty,
    };

    private static string Concat(Segment[] segments, string?[] values)
    {
        if (segments.Length == 1 && segments[0].Literal is { } only)
        {
            return only;
        }

        var length = 0;
        foreach (var seg in segments)
        {
            length += (seg.Literal ?? values[seg.Slot])!.Length;
        }

        return string.Create(length, (segments, values), static (span, state) =>
        {
            foreach (var seg in state.segments)
            {
                var text = seg.Literal ?? state.values[seg.Slot]!;
                text.AsSpan().CopyTo(span);
                span = span[text.Length..];
            }
        });
    }

    private readonly record struct Segment(string? Literal, int Slot);
}
