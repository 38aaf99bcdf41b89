namespace Sparkify.Deploy.Tests;

/// <summary>The test classes that read the stack with the documented defaults share one synthesis of it.</summary>
[CollectionDefinition(Name)]
public sealed class DefaultStack : ICollectionFixture<DefaultApp>
{
    public const string Name = "default stack";
}
