// Benchmarks are selected by name: dotnet run -c Release --project bench/ArActors.Bench -- <name>
Console.WriteLine("usage: dotnet run -c Release --project bench/ArActors.Bench -- <benchmark>");
return 1;
