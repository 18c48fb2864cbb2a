using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.FileProviders;

namespace ArActors.Api.Dashboard;

public static class DashboardEndpoints
{
    /// <summary>Serves the dashboard's static files from the build output, with <c>/</c> as its page.</summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "Dashboard", "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        return app;
    }
}
