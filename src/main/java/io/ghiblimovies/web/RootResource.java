package io.ghiblimovies.web;

import java.net.URI;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** {@code /} leads to the catalog. */
@Path("/")
public class RootResource {

    @GET
    public Response root() {
        return Response.status(Response.Status.FOUND).location(URI.create("/movies/")).build();
    }
}
