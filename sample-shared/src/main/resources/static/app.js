// Keeps the cluster panel fresh and drives the two small forms of the home page.
(function () {
	const csrfHeader = document.querySelector('meta[name="_csrf_header"]').content;
	const csrfToken = document.querySelector('meta[name="_csrf"]').content;

	function cell(text, className) {
		const td = document.createElement('td');
		td.textContent = text;
		if (className) {
			td.className = className;
		}
		return td;
	}

	// A node's refill as a progress bar and one line of text.
	function refillCell(refill) {
		const td = cell('', 'refill');
		const bar = document.createElement('div');
		bar.className = 'refill-bar ' + refill.phase;
		const done = document.createElement('div');
		done.className = 'refill-done';
		done.style.width = refill.percent + '%';
		bar.appendChild(done);
		const text = document.createElement('span');
		text.className = 'refill-text';
		text.textContent = refill.summary;
		td.append(bar, text);
		return td;
	}

	async function refreshCluster() {
		const response = await fetch('/api/cluster');
		if (!response.ok) {
			return;
		}
		const rows = document.getElementById('cluster-rows');
		rows.replaceChildren(...(await response.json()).map((node) => {
			const tr = document.createElement('tr');
			tr.className = 'node';
			tr.dataset.node = node.address;
			const state = document.createElement('span');
			state.className = 'state ' + node.state;
			state.textContent = node.state;
			const stateCell = cell('');
			stateCell.appendChild(state);
			tr.append(cell(node.address), stateCell, cell(node.hits ?? '-', 'hits'), cell(node.misses ?? '-', 'misses'),
				cell(node.failovers), cell(node.repairs), cell(node.pendingHints), cell(node.restarts),
				refillCell(node.refill));
			return tr;
		}));
	}

	async function showAttributes() {
		const response = await fetch('/api/session/attributes');
		if (response.ok) {
			document.getElementById('attributes').textContent = JSON.stringify(await response.json(), null, 2);
		}
	}

	document.getElementById('product-form').addEventListener('submit', async (event) => {
		event.preventDefault();
		const id = document.getElementById('product-id').value;
		const started = performance.now();
		const response = await fetch('/api/products/' + encodeURIComponent(id));
		const millis = Math.round(performance.now() - started);
		const item = document.createElement('li');
		item.textContent = response.ok
			? (await response.json()).name + ': ' + millis + ' ms'
			: 'product ' + id + ': HTTP ' + response.status;
		document.getElementById('product-log').prepend(item);
		refreshCluster();
	});

	document.getElementById('attribute-form').addEventListener('submit', async (event) => {
		event.preventDefault();
		const name = document.getElementById('attribute-name').value;
		await fetch('/api/session/attributes/' + encodeURIComponent(name), {
			method: 'PUT',
			headers: { 'Content-Type': 'text/plain', [csrfHeader]: csrfToken },
			body: document.getElementById('attribute-value').value,
		});
		showAttributes();
	});

	showAttributes();
	setInterval(refreshCluster, 1000);
})();
