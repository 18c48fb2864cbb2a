namespace ArActors.Runtime;

/// <summary>Identifies one grain: its durable grain type name and its string key.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public string PlacementKey => ArActors.Runtime.PlacementKey.Of(Key);

    public override string ToString() => $"{Type}/{Key}";
}
