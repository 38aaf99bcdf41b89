using System.Text.Json;

namespace Sparkify.Warehouse.Parsing;

/// <summary>The framing every record shares: exactly one JSON object, nothing after it.</summary>
internal static class RecordObject
{
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    public static bool Begin(ref Utf8JsonReader reader, out RecordError error)
    {
        error = default;
        if (!reader.Read())
        {
            error = new RecordError(null, "empty record");
            return false;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new RecordError(null, $"expected a JSON object, found {JsonCoercion.Describe(reader.TokenType)}");
            return false;
        }
        return true;
    }

    /// <summary>Call once the property loop ended; checks the object closed and nothing follows it.</summary>
    public static bool End(ref Utf8JsonReader reader, out RecordError error)
    {
        error = default;
        if (reader.TokenType != JsonTokenType.EndObject)
        {
            error = new RecordError(null, "the JSON object is not closed");
            return false;
        }
        if (reader.Read())
        {
            error = new RecordError(null, "unexpected data after the JSON object");
            return false;
        }
        return true;
    }

    /// <summary>Turns what the JSON reader threw (syntax, invalid UTF-8) into an error row's reason.</summary>
    public static RecordError Malformed(Exception exception) => exception switch
    {
        JsonException json => new RecordError(null, "malformed JSON: " + FirstSentence(json.Message)),
        _ when exception.InnerException is System.Text.DecoderFallbackException => new RecordError(null, "invalid UTF-8 in a text value"),
        _ => new RecordError(null, "unreadable JSON: " + FirstSentence(exception.Message)),
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).Trim();
    }
}
