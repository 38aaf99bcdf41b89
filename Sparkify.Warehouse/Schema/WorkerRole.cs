namespace Sparkify.Warehouse.Schema;

/// <summary>The database role the workers log in as: the rights they use, no DDL (the migration's login owns the tables).</summary>
public static class WorkerRole
{
    public const string Name = "sparkify_worker";

    /// <summary>
    /// The environment variable that gives <c>sparkify create-tables</c> the workers' password: with it, the migration
    /// also creates (or updates) the workers' role with that password and its grants.
    /// </summary>
    public const string PasswordVariable = "SPARKIFY_WORKER_PASSWORD";
}
