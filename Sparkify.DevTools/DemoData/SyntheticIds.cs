namespace Sparkify.DevTools.DemoData;

/// <summary>
/// Million Song Dataset style ids: a two-letter prefix, five letters, then eleven upper-case hex characters
/// (e.g. <c>TRAAAAW128F429D538</c>). Each instance hands out every id at most once.
/// </summary>
internal sealed class SyntheticIds(Random random)
{
    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Hex = "0123456789ABCDEF";

    private readonly HashSet<string> _issued = new(StringComparer.Ordinal);

    public string Next(string prefix)
    {
        while (true)
        {
            var id = string.Create(prefix.Length + 16, (prefix, random), static (span, state) =>
            {
                state.prefix.AsSpan().CopyTo(span);
                var body = span[state.prefix.Length..];
                for (var i = 0; i < body.Length; i++)
                {
                    body[i] = i < 5 ? Letters[state.random.Next(Letters.Length)] : Hex[state.random.Next(Hex.Length)];
                }
            });
            if (_issued.Add(id))
            {
                return id;
            }
        }
    }
}
