package io.memquorum.sample.webflux.web;

import java.security.Principal;

import io.memquorum.sample.cluster.ClusterPanel;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The two HTML pages, from the templates the servlet sample uses: the login form and the
 * home page with the cluster panel.
 */
@Controller
class PageController {

	private final ClusterPanel clusterPanel;

	PageController(ClusterPanel clusterPanel) {
		this.clusterPanel = clusterPanel;
	}

	@GetMapping("/login")
	String login() {
		return "login";
	}

	@GetMapping("/")
	String home(Principal principal, Model model) {
		model.addAttribute("username", principal.getName());
		// Resolved before the page renders, off the event loop.
		model.addAttribute("nodes", ApiController.nodes(this.clusterPanel));
		return "home";
	}

}
