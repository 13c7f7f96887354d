package jp.renkei.hub.web;

import java.time.Duration;
import jp.renkei.hub.access.AuthProperties;
import org.springframework.boot.web.server.MimeMappings;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.server.ConfigurableServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the web app (module {@code web}, built into {@code classpath:/static/app/}) at {@code /app/}. The app is
 * public, its data is not: it is a pure client of {@code /fhir} with the user's own access token
 * (docs/web-app.md). {@code /} and {@code /app} redirect to {@code /app/}.
 */
@Configuration(proxyBeanMethods = false)
class WebAppConfig implements WebMvcConfigurer {

    static final String LOCATION = "classpath:/static/app/";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", "/app/").setStatusCode(HttpStatus.FOUND);
        registry.addRedirectViewController("/app", "/app/").setStatusCode(HttpStatus.FOUND);
        // the resource handler answers an empty path with 404 before any resolver: /app/ itself is the index
        registry.addViewController("/app/").setViewName("forward:/app/index.html");
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        // Vite names every built asset by its content hash: a changed file is a new URL, so a copy never goes stale.
        registry.addResourceHandler("/app/assets/**")
                .addResourceLocations(LOCATION + "assets/")
                .setCacheControl(
                        CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable())
                .resourceChain(true);
        // index.html names the current assets: the browser asks again every time (a 304 when unchanged).
        registry.addResourceHandler("/app/**")
                .addResourceLocations(LOCATION)
                .setCacheControl(CacheControl.noCache())
                .resourceChain(true)
                .addResolver(new ClientRoutes());
    }

    /**
     * The web app manifest ({@code /app/manifest.webmanifest}) with its registered type, which neither Tomcat nor
     * Spring maps: browsers install the app from it (docs/web-app.md §11). The service worker {@code /app/sw.js} is a
     * script ({@code text/javascript}) under {@code /app/**}: no-cache like index.html, so a new build's worker is found
     * at once; its default scope is {@code /app/}, so no {@code Service-Worker-Allowed} header is needed.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableServletWebServerFactory> webAppManifestType() {
        return factory -> {
            MimeMappings manifest = new MimeMappings();
            manifest.add("webmanifest", "application/manifest+json");
            factory.addMimeMappings(manifest);
        };
    }

    @Bean
    FilterRegistrationBean<AppHeaders> appHeaders(AuthProperties auth) {
        FilterRegistrationBean<AppHeaders> registration =
                new FilterRegistrationBean<>(new AppHeaders(new ContentSecurityPolicy(auth.issuer())));
        registration.addUrlPatterns("/app", "/app/*");
        return registration;
    }
}
