using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// The mutation engine every fuzz test shares: seeded, so a failing case can be replayed. Each call to
/// <see cref="Mutate"/> applies one of
/// <list type="bullet">
/// <item><c>truncate</c> — cut the input at a random point (often inside a header);</item>
/// <item><c>flip</c> — XOR one to four random bytes with random non-zero values;</item>
/// <item><c>field</c> — overwrite a declared header/size field with a hostile value: zero, one, −1, the
/// largest and smallest signed and unsigned values of its width, off-by-one or doubled;</item>
/// <item><c>number</c> — for text formats: replace a number in the text with a huge, negative, zero,
/// fractional or non-numeric token;</item>
/// <item><c>append</c> — add random trailing bytes;</item>
/// <item><c>multi</c> — two or three of the above in a row.</item>
/// </list>
/// </summary>
public sealed class Mutator
{
    private static readonly string[] HostileNumbers =
    [
        "0", "-1", "1", "-0", "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
        "9223372036854775807", "9223372036854775808", "99999999999999999999999999", "1e308", "-1e308", "1e999",
        "1e-320", "0.5", "NaN", "inf", "-inf", "0x10", "", "1_000",
    ];

    private readonly Random _rng;
    private readonly IReadOnlyList<FuzzField> _fields;
    private readonly bool _text;

    /// <param name="seed">Seeds every random choice.</param>
    /// <param name="fields">Header/size fields the <c>field</c> mutation targets (empty: it is not used).</param>
    /// <param name="text">Whether the input is text with numbers in it (enables the <c>number</c> mutation).</param>
    public Mutator(int seed, IReadOnlyList<FuzzField>? fields = null, bool text = false)
    {
        _rng = new Random(seed);
        _fields = fields ?? [];
        _text = text;
    }

    /// <summary>The random source, for tests that make further seeded choices (which file of a set to mutate).</summary>
    public Random Random => _rng;

    /// <summary>A mutated copy of <paramref name="original"/>; <paramref name="fields"/> overrides the fields given to the constructor.</summary>
    public Mutation Mutate(byte[] original, IReadOnlyList<FuzzField>? fields = null)
    {
        fields ??= _fields;
        var kinds = new List<string> { "truncate", "truncate", "flip", "flip", "flip", "append", "multi" };
        if (fields.Count > 0) kinds.AddRange(["field", "field", "field"]);
        if (_text) kinds.AddRange(["number", "number", "number"]);
        string kind = kinds[_rng.Next(kinds.Count)];
        if (kind != "multi")
        {
            var (bytes, what) = Apply(kind, original, fields);
            return new Mutation(bytes, kind, what);
        }
        var current = original;
        var steps = new List<string>();
        int count = _rng.Next(2, 4);
        for (int i = 0; i < count; i++)
        {
            string step = kinds.Where(k => k is not ("multi" or "append")).ElementAt(_rng.Next(kinds.Count(k => k is not ("multi" or "append"))));
            var (bytes, what) = Apply(step, current, fields);
            current = bytes;
            steps.Add(what);
        }
        return new Mutation(current, kind, string.Join("; then ", steps));
    }

    private (byte[] Bytes, string What) Apply(string kind, byte[] input, IReadOnlyList<FuzzField> fields) => kind switch
    {
        "truncate" => Truncate(input),
        "flip" => Flip(input),
        "field" => OverwriteField(input, fields),
        "number" => ReplaceNumber(input),
        "append" => Append(input),
        _ => throw new ArgumentException(kind),
    };

    private (byte[], string) Truncate(byte[] input)
    {
        if (input.Length == 0) return (input, "truncate (already empty)");
        // half of the cuts land in the first 64 bytes, where the headers are
        int at = _rng.Next(2) == 0 ? _rng.Next(Math.Min(64, input.Length)) : _rng.Next(input.Length);
        return (input[..at], $"truncate to {at} of {input.Length} bytes");
    }

    private (byte[], string) Flip(byte[] input)
    {
        if (input.Length == 0) return (input, "flip (empty input)");
        var bytes = (byte[])input.Clone();
        int count = _rng.Next(1, 5);
        var where = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int at = _rng.Next(2) == 0 ? _rng.Next(Math.Min(64, bytes.Length)) : _rng.Next(bytes.Length);
            byte mask = (byte)_rng.Next(1, 256);
            bytes[at] ^= mask;
            where.Add($"{at}^0x{mask:x2}");
        }
        return (bytes, $"flip bytes {string.Join(",", where)}");
    }

    private (byte[], string) OverwriteField(byte[] input, IReadOnlyList<FuzzField> fields)
    {
        var usable = fields.Where(f => f.Offset + f.Width <= input.Length).ToList();
        if (usable.Count == 0) return Flip(input);
        var field = usable[_rng.Next(usable.Count)];
        var bytes = (byte[])input.Clone();
        var span = bytes.AsSpan(field.Offset, field.Width);
        if (field.Octal) return (bytes, OverwriteOctal(span, field));
        ulong old = Read(span, field.BigEndian);
        ulong max = field.Width == 8 ? ulong.MaxValue : (1UL << (8 * field.Width)) - 1;
        ulong signBit = 1UL << (8 * field.Width - 1);
        ulong[] candidates =
        [
            0, 1, max /* −1 */, signBit - 1 /* largest signed */, signBit /* smallest signed */,
            (old + 1) & max, (old - 1) & max, (old * 2) & max, (old << 8) & max, (ulong)_rng.NextInt64() & max,
        ];
        ulong value = candidates[_rng.Next(candidates.Length)];
        Write(span, value, field.BigEndian);
        return (bytes, $"set {field.Name} (offset {field.Offset}, {field.Width} bytes) from {old} to {value} (signed {ToSigned(value, field.Width)})");
    }

    /// <summary>A tar numeric field: octal digits then NUL, or base-256 (first byte 0x80 positive, 0xff negative).</summary>
    private string OverwriteOctal(Span<byte> span, FuzzField field)
    {
        string oldText = Encoding.ASCII.GetString(span).TrimEnd('\0', ' ');
        long old = 0;
        foreach (char ch in oldText) old = ch is >= '0' and <= '7' ? old * 8 + (ch - '0') : old;
        int digits = field.Width - 1;
        string[] octal =
        [
            "0", "1", Convert.ToString(old + 1, 8), Convert.ToString(Math.Max(0, old - 1), 8), Convert.ToString(old * 2, 8),
            new string('7', digits), new string('9', digits), "-1", "",
        ];
        int choice = _rng.Next(octal.Length + 3);
        span.Clear();
        if (choice < octal.Length)
        {
            string text = octal[choice].Length > digits ? octal[choice][^digits..] : octal[choice].PadLeft(digits, '0');
            Encoding.ASCII.GetBytes(text).CopyTo(span);
            return $"set {field.Name} (offset {field.Offset}) from octal {oldText} to '{text}'";
        }
        // base-256: 0x80 then a huge positive big-endian value, or all 0xff (−1), or 0xff then a large negative value
        switch (choice - octal.Length)
        {
            case 0: span[0] = 0x80; span[1..].Fill(0x7f); return $"set {field.Name} (offset {field.Offset}) to a huge base-256 value";
            case 1: span.Fill(0xff); return $"set {field.Name} (offset {field.Offset}) to base-256 −1";
            default: span[0] = 0xff; span[1] = 0x80; return $"set {field.Name} (offset {field.Offset}) to a large negative base-256 value";
        }
    }

    private (byte[], string) ReplaceNumber(byte[] input)
    {
        string text = Encoding.Latin1.GetString(input);
        var numbers = Regex.Matches(text, @"-?\d+(\.\d+)?([eE][+-]?\d+)?");
        if (numbers.Count == 0) return Flip(input);
        var match = numbers[_rng.Next(numbers.Count)];
        string replacement = _rng.Next(4) == 0 ? match.Value + match.Value : HostileNumbers[_rng.Next(HostileNumbers.Length)];
        string mutated = text[..match.Index] + replacement + text[(match.Index + match.Length)..];
        return (Encoding.Latin1.GetBytes(mutated), $"replace number '{match.Value}' at {match.Index} with '{replacement}'");
    }

    private (byte[], string) Append(byte[] input)
    {
        var extra = new byte[_rng.Next(1, 600)];
        _rng.NextBytes(extra);
        return ([.. input, .. extra], $"append {extra.Length} random bytes");
    }

    private static ulong Read(ReadOnlySpan<byte> span, bool bigEndian)
    {
        ulong v = 0;
        for (int i = 0; i < span.Length; i++) v |= (ulong)span[bigEndian ? span.Length - 1 - i : i] << (8 * i);
        return v;
    }

    private static void Write(Span<byte> span, ulong value, bool bigEndian)
    {
        for (int i = 0; i < span.Length; i++) span[bigEndian ? span.Length - 1 - i : i] = (byte)(value >> (8 * i));
    }

    private static string ToSigned(ulong value, int width) => width switch
    {
        1 => ((sbyte)value).ToString(CultureInfo.InvariantCulture),
        2 => ((short)value).ToString(CultureInfo.InvariantCulture),
        4 => ((int)value).ToString(CultureInfo.InvariantCulture),
        _ => ((long)value).ToString(CultureInfo.InvariantCulture),
    };
}
