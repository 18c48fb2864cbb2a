namespace ArActors.Grains.Tests.Amounts;

public class MoneyTests
{
    [Theory]
    [InlineData("usd")]
    [InlineData("US")]
    [InlineData("USDD")]
    [InlineData("ABC")]
    [InlineData("")]
    public void Currency_that_is_not_an_upper_case_ISO_4217_code_is_rejected(string currency)
    {
        Assert.Throws<ArgumentException>(() => new Grains.Money(1m, currency));
        var result = Grains.Money.TryCreate(1m, currency);
        Assert.Equal(ErrorCodes.InvalidCurrency, result.Error?.Code);
        Assert.Equal("amount.currency", result.Error?.Field);
    }

    [Fact]
    public void Amount_with_more_decimals_than_the_currency_allows_is_rejected()
    {
        Assert.Equal(ErrorCodes.TooManyDecimals, Grains.Money.TryCreate(10.001m, "USD").Error?.Code);
        Assert.Equal(ErrorCodes.TooManyDecimals, Grains.Money.TryCreate(100.5m, "JPY").Error?.Code);
        Assert.Equal(10.01m, Grains.Money.TryCreate(10.01m, "USD").Value.Amount);
        Assert.Equal(100m, Grains.Money.TryCreate(100m, "JPY").Value.Amount);
    }

    [Fact]
    public void Trailing_zeros_beyond_minor_units_do_not_count_as_extra_precision()
    {
        Assert.Equal(new Grains.Money(10.1m, "USD"), new Grains.Money(10.100m, "USD"));
        Assert.Equal(0, Currency.MinorUnits("JPY"));
        Assert.Equal(2, Currency.MinorUnits("EUR"));
    }

    [Fact]
    public void Arithmetic_in_one_currency_is_exact()
    {
        var sum = new Grains.Money(0.10m, "EUR") + new Grains.Money(0.20m, "EUR");
        Assert.Equal(new Grains.Money(0.30m, "EUR"), sum);
        Assert.Equal(new Grains.Money(-0.10m, "EUR"), new Grains.Money(0.10m, "EUR") - new Grains.Money(0.20m, "EUR"));
        Assert.True(new Grains.Money(2m, "EUR") > new Grains.Money(1m, "EUR"));
    }

    [Fact]
    public void Arithmetic_across_currencies_is_refused_with_both_currencies_named()
    {
        var error = Assert.Throws<CurrencyMismatchException>(() => new Grains.Money(10m, "USD") + new Grains.Money(5m, "EUR"));
        Assert.Contains("USD vs EUR", error.Message, StringComparison.Ordinal);
        Assert.Throws<CurrencyMismatchException>(() => new Grains.Money(10m, "USD") > new Grains.Money(5m, "EUR"));
    }

    [Fact]
    public void Money_prints_with_the_currency_minor_units()
    {
        Assert.Equal("USD 5.00", new Grains.Money(5m, "USD").ToString());
        Assert.Equal("JPY 500", new Grains.Money(500m, "JPY").ToString());
    }
}
