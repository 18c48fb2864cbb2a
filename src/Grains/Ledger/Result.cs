namespace ArActors.Grains;

/// <summary>Either a value or the LedgerError that refused it; rules return this instead of throwing.</summary>
public readonly record struct Result<T>
{
    // default(Result<T>) must not pass for success, so success is an explicit flag.
    private static readonly LedgerError Uninitialized = new("result", "uninitialized", "A default Result carries neither a value nor an error.");

    private readonly T? _value;
    private readonly LedgerError? _error;
    private readonly bool _ok;

    private Result(T? value, LedgerError? error, bool ok)
    {
        _value = value;
        _error = error;
        _ok = ok;
    }

    public LedgerError? Error => _ok ? null : _error ?? Uninitialized;

    public bool IsOk => _ok;

    public T Value => _ok ? _value! : throw new InvalidOperationException("Refused: " + Error);

    public static implicit operator Result<T>(T value) => new(value, null, ok: true);

    public static implicit operator Result<T>(LedgerError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)), ok: false);

    public override string ToString() => IsOk ? $"Ok({_value})" : $"Fail({Error})";
}
