using Sparkify.Warehouse.Reports;

namespace Sparkify.Warehouse.Tests;

public sealed class UserAgentClassifierTests
{
    [Theory]
    [InlineData("\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36\"", "Chrome", "macOS")]
    [InlineData("\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.78.2 (KHTML, like Gecko) Version/7.0.6 Safari/537.78.2\"", "Safari", "macOS")]
    [InlineData("Mozilla/5.0 (Windows NT 5.1; rv:31.0) Gecko/20100101 Firefox/31.0", "Firefox", "Windows")]
    [InlineData("\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/36.0.1985.125 Chrome/36.0.1985.125 Safari/537.36\"", "Chrome", "Linux")]
    [InlineData("\"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53\"", "Mobile Safari", "iOS")]
    [InlineData("Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko", "Internet Explorer", "Windows")]
    [InlineData("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; WOW64; Trident/6.0)", "Internet Explorer", "Windows")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", "Edge", "Windows")]
    [InlineData("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 OPR/79.0", "Opera", "Android")]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 7_0 like Mac OS X) AppleWebKit/537.51.1 (KHTML, like Gecko) Version/7.0 Mobile/11A465 Safari/9537.53", "Mobile Safari", "iOS")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Mobile/11D257", "Other", "iOS")]
    [InlineData("Mozilla/5.0 (Macintosh; PPC) AppleWebKit/85.7 (KHTML, like Gecko) Safari/85.5", "Safari", "macOS")]
    [InlineData("Mozilla/5.0 (Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15", "Safari", "macOS")]
    [InlineData("Mozilla/5.0 (X11; FreeBSD amd64; rv:109.0) Gecko/20100101 Firefox/115.0", "Firefox", "Linux")]
    [InlineData("Mozilla/5.0 (Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", "Firefox", "Linux")]
    [InlineData("curl/8.4.0", "Other", "Other")]
    [InlineData(null, "Unknown", "Unknown")]
    [InlineData("  ", "Unknown", "Unknown")]
    public void Classifies_the_families_by_the_tokens_they_claim_in_order(string? agent, string browser, string system)
    {
        Assert.Equal(browser, UserAgentClassifier.Browser(agent));
        Assert.Equal(system, UserAgentClassifier.OperatingSystem(agent));
    }
}
