def test_healthz_answers_ok_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_employee_signs_in_and_sees_home(client, login, employee):
    login(employee)
    page = client.get("/")
    assert page.status_code == 200
    assert "Hello, Emma Employee" in page.get_data(as_text=True)
