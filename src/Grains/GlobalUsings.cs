global using System.Collections.Immutable;
global using ArActors.Grains.Accounts;
global using ArActors.Grains.Aging;
global using ArActors.Grains.Invoices;
global using ArActors.Grains.Ledger;
global using ArActors.Grains.Payments;
global using ArActors.Grains.WriteOffs;
global using ArActors.Runtime;
