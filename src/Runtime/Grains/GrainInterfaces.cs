namespace ArActors.Runtime;

/// <summary>Marker for every grain interface; the source generator builds a proxy for each.</summary>
public interface IGrain;

/// <summary>A grain addressed by a string key such as <c>ACME-001</c> or <c>ACME-001/INV-77</c>.</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>Hands out references to grains; usable from host code, background services and grains alike.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey;
}
