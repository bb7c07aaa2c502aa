package io.ghiblimovies.ghibliapi;

import java.io.InputStream;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The three endpoints of the Studio Ghibli API this service reads.
 * <p>
 * Bodies come back as streams so that {@link GhibliClient} can bound their size and read every
 * item on its own: one malformed film must not cost the whole list.
 */
@RegisterRestClient(configKey = "ghibli-api")
@Produces(MediaType.APPLICATION_JSON)
@ClientHeaderParam(name = "User-Agent", value = "ghibli-movies")
interface GhibliApi {

    @GET
    @Path("/films")
    InputStream films(@QueryParam("limit") int limit);

    @GET
    @Path("/people")
    InputStream people(@QueryParam("limit") int limit);

    @GET
    @Path("/species")
    InputStream species(@QueryParam("limit") int limit);
}
