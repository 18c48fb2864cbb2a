namespace ArActors.Grains;

/// <summary>Either a value or the LedgerError that refused it; rules return this instead of throwing.</summary>
public readonly record struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, LedgerError? error)
    {
        _value = value;
        Error = error;
    }

    public LedgerError? Error { get; }

    public bool IsOk => Error is null;

    public T Value => IsOk ? _value! : throw new InvalidOperationException("Refused: " + Error);

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(LedgerError error) => new(default, error);

    public override string ToString() => IsOk ? $"Ok({_value})" : $"Fail({Error})";
}
