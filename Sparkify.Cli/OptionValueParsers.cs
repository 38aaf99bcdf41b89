using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Sparkify.Cli;

/// <summary>
/// Gives every typed option of the command tree a parser whose refusal a person reads
/// ("--max-errors expects a whole number, got 'abc'") instead of System.CommandLine's, which names .NET types.
/// An option of a type it does not know stops the build, so a new option cannot bring the type names back.
/// </summary>
internal static class OptionValueParsers
{
    public static void Install(Command command)
    {
        foreach (var option in command.Options)
        {
            Install(option);
        }
        foreach (var subcommand in command.Subcommands)
        {
            Install(subcommand);
        }
    }

    private static void Install(Option option)
    {
        switch (option)
        {
            case Option<int> whole:
                whole.CustomParser = result => Parse<int>(result, whole.Name, "a whole number", TryParseWholeNumber);
                break;
            case Option<double> number:
                number.CustomParser = result => Parse<double>(result, number.Name, "a number (e.g. 0.25)", TryParseNumber);
                break;
            case Option<DateOnly?> date:
                date.CustomParser = result => Parse<DateOnly?>(result, date.Name, "a date (yyyy-mm-dd)", TryParseDate);
                break;
            case HelpOption or VersionOption:
            case Option<bool>:
            case Option<string?>:
            case Option<FileInfo?>:
            case Option<DirectoryInfo?>:
                // --help and --version take no value; any text is a path or a string; a bool refuses a value that is not
                // true/false as an extra word ("Unrecognized command or argument 'abc'").
                break;
            default:
                throw new InvalidOperationException(
                    $"{option.Name} has a value type ({option.ValueType.Name}) without a parser that explains its refusals: add one here.");
        }
    }

    private delegate bool TryParseValue<T>(string text, out T value);

    private static T? Parse<T>(ArgumentResult result, string optionName, string expected, TryParseValue<T> tryParse)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
        if (tryParse(text, out var value))
        {
            return value;
        }
        result.AddError($"{optionName} expects {expected}, got '{text}'");
        return default;
    }

    private static bool TryParseWholeNumber(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static bool TryParseDate(string text, out DateOnly? value)
    {
        var parsed = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
        value = parsed ? date : null;
        return parsed;
    }
}
