namespace Sparkify.Deploy;

/// <summary>
/// jsii (which runs the CDK in Node) prints a large end-of-life banner on Node 20 since 2026-04-30. The synthesis is
/// checked on Node 20 (the development machines' Node; the tests also run it on 22), so the banner is noise there:
/// silenced through jsii's own variable, for Node 20 only, unless the variable is set already. An older Node still
/// gets its banner; <c>JSII_NODE</c> picks another Node binary.
/// </summary>
public static class NodeVersionBanner
{
    public const string SilenceVariable = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION";
    public const string CheckedEndOfLifeMajorVersion = "20";

    public static void SilenceForCheckedNode()
    {
        if (Environment.GetEnvironmentVariable(SilenceVariable) is null)
        {
            // jsii's Node process inherits this process's environment.
            Environment.SetEnvironmentVariable(SilenceVariable, CheckedEndOfLifeMajorVersion);
        }
    }
}
