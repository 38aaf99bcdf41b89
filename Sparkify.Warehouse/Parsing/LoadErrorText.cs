using System.Text;

namespace Sparkify.Warehouse.Parsing;

/// <summary>Shapes the raw text kept with a load error: valid text, no NUL bytes, bounded length.</summary>
public static class LoadErrorText
{
    public const int MaxRawChars = 1024;

    /// <summary>Enough bytes for <see cref="MaxRawChars"/> characters of any UTF-8.</summary>
    public const int MaxRawBytes = MaxRawChars * 4;

    public static string FromBytes(ReadOnlySpan<byte> raw)
    {
        var text = Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, MaxRawBytes)]);
        return Bound(text);
    }

    public static string Bound(string text)
    {
        // PostgreSQL text cannot hold U+0000; binary garbage often has it.
        text = text.Replace('\0', '\uFFFD');
        return text.Length <= MaxRawChars ? text : text[..MaxRawChars];
    }
}
