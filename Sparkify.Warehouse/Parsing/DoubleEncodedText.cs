using System.Buffers;
using System.Text;

namespace Sparkify.Warehouse.Parsing;

/// <summary>
/// Repairs text that was encoded as UTF-8 more than once ("BjÃ¶rk" for "Björk"; the sample's event logs carry
/// "BjÃ\u0083Â¶rk", three times), by a conservative rule in the manner of ftfy: a string is repaired only when
/// <list type="number">
/// <item>every char is at most U+00FF (so it can be taken back to the bytes it was read from, as Latin-1) and at least
/// one is U+0080 or above (plain ASCII is never touched — and costs one vectorised scan, no allocation);</item>
/// <item>those bytes are valid UTF-8 (a throwing decoder: one invalid sequence and nothing is changed);</item>
/// <item>the decoded text is shorter (each repaired character takes 2-4 chars less).</item>
/// </list>
/// The step is repeated while it applies. Correct Latin text ("Björk", "naïve") is not valid UTF-8 as bytes and stays;
/// text holding a char above U+00FF (CJK, the Windows-1252 punctuation of "â€™") stays whole.
/// </summary>
public static class DoubleEncodedText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The repaired text, or null when the rule does not apply (the value is kept as it is).</summary>
    public static string? TryRepair(string? text)
    {
        if (text is null || !MayBeEncodedAgain(text))
        {
            return null;
        }
        string? repaired = null;
        var current = text;
        while (current is not null && RepairOnce(current) is { } next)
        {
            repaired = current = next;
        }
        return repaired;
    }

    /// <summary>Rule 1: some char at or above U+0080, none above U+00FF.</summary>
    private static bool MayBeEncodedAgain(string text) =>
        !Ascii.IsValid(text) && text.AsSpan().IndexOfAnyExceptInRange('\0', '\u00FF') < 0;

    private static string? RepairOnce(string text)
    {
        if (!MayBeEncodedAgain(text))
        {
            return null;
        }
        var span = text.AsSpan();
        var rented = span.Length > 256 ? ArrayPool<byte>.Shared.Rent(span.Length) : null;
        var bytes = rented is null ? stackalloc byte[span.Length] : rented.AsSpan(0, span.Length);
        try
        {
            for (var i = 0; i < span.Length; i++)
            {
                bytes[i] = (byte)span[i];
            }
            string decoded;
            try
            {
                decoded = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
            return decoded.Length < text.Length ? decoded : null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
